using System.Text;

namespace EventKit.Internal.Processing;

/// <summary>
/// Makes error text safe for every store before it leaves the processor: no NUL characters (PostgreSQL text cannot
/// hold them), no unpaired surrogates (Npgsql's strict UTF-8 encoder refuses them), and at most
/// <see cref="EventLogEntry.MaxErrorLength"/> characters, cut on a code-point boundary.
/// </summary>
internal static class ErrorText
{
    private const char Replacement = '\uFFFD';
    private const string Ellipsis = "...";

    public static string? Sanitize(string? text, int maxLength = EventLogEntry.MaxErrorLength)
    {
        if (text is null)
        {
            return null;
        }

        var clean = IsClean(text) ? text : Clean(text);
        return clean.Length <= maxLength ? clean : Cut(clean, maxLength);
    }

    private static bool IsClean(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                builder.Append(Replacement);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? Replacement : c);
            }
        }

        return builder.ToString();
    }

    private static string Cut(string text, int maxLength)
    {
        var keep = Math.Max(0, maxLength - Ellipsis.Length);

        // Never split a surrogate pair: a pair cut in half would be an unpaired surrogate again.
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), Ellipsis);
    }
}
