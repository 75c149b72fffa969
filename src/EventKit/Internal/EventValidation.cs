using System.Text.RegularExpressions;

namespace EventKit.Internal;

/// <summary>Argument rules shared by publishing and registration.</summary>
internal static partial class EventValidation
{
    public const int MaxTypeLength = 200;
    public const int MaxEntityLength = 100;
    public const int MaxEntityIdLength = 200;
    public const int MaxOptionLength = 200;
    public const int MaxHandlerNameLength = 200;
    public const string TypeNameRule = "at most 200 characters of lower-case letters and digits, in segments separated by single '.', '_' or '-' (pattern ^[a-z0-9]+([._-][a-z0-9]+)*$), e.g. 'user.created'";

    public static bool IsValidTypeName(string? type) =>
        !string.IsNullOrEmpty(type) && type.Length <= MaxTypeLength && TypeNamePattern().IsMatch(type);

    public static void ValidateType(string type, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type, paramName);
        if (!IsValidTypeName(type))
        {
            throw new ArgumentException($"'{Shorten(type)}' is not a valid event type name: {TypeNameRule}.", paramName);
        }
    }

    /// <summary>What text every store holds exactly, for messages.</summary>
    public const string StorableTextRule =
        "any Unicode text except the NUL character (U+0000) and unpaired surrogates (a UTF-16 code unit in U+D800–U+DFFF that is not half of a surrogate pair), which databases refuse or alter";

    public static void ValidateText(string value, int maxLength, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, paramName);
        if (value.Length > maxLength)
        {
            throw new ArgumentException($"The value must be at most {maxLength} characters; it has {value.Length}.", paramName);
        }

        ValidateStorable(value, paramName);
    }

    public static void ValidateOptional(string? value, int maxLength, string paramName)
    {
        if (value is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            throw new ArgumentException($"The value must be null, or non-blank and at most {maxLength} characters; it has {value.Length}.", paramName);
        }

        ValidateStorable(value, paramName);
    }

    /// <summary>
    /// Throws unless every store can hold <paramref name="value"/> exactly: PostgreSQL refuses NUL in text (22021) and
    /// cannot encode an unpaired surrogate in UTF-8, so the rule is the same on every store, checked at the call.
    /// </summary>
    public static void ValidateStorable(string value, string paramName, string? what = null)
    {
        if (IndexOfUnstorable(value) is var index and >= 0)
        {
            throw new ArgumentException(
                $"{what ?? "The value"} must be {StorableTextRule}; it has {(value[index] == '\0' ? "a NUL character" : "an unpaired surrogate")} at index {index}.",
                paramName);
        }
    }

    /// <summary>The index of the first NUL character or unpaired surrogate in <paramref name="value"/>, or -1.</summary>
    public static int IndexOfUnstorable(ReadOnlySpan<char> value)
    {
        var nul = value.IndexOf('\0');
        var text = nul < 0 ? value : value[..nul];
        var offset = 0;
        while (text.IndexOfAnyInRange('\uD800', '\uDFFF') is var i and >= 0)
        {
            if (!char.IsHighSurrogate(text[i]) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
            {
                return offset + i;
            }

            offset += i + 2;
            text = text[(i + 2)..];
        }

        return nul;
    }

    public static bool IsStorableText(string value) => IndexOfUnstorable(value) < 0;

    public static string Shorten(string value) => value.Length <= 60 ? value : string.Concat(value.AsSpan(0, 57), "...");

    [GeneratedRegex(@"^[a-z0-9]+([._-][a-z0-9]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex TypeNamePattern();
}
