using System.Text.RegularExpressions;

namespace EventKit.Internal;

/// <summary>Argument rules shared by publishing and registration.</summary>
internal static partial class EventValidation
{
    public const int MaxTypeLength = 200;
    public const int MaxEntityLength = 100;
    public const int MaxEntityIdLength = 200;
    public const int MaxOptionLength = 200;
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

    public static void ValidateText(string value, int maxLength, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, paramName);
        if (value.Length > maxLength)
        {
            throw new ArgumentException($"The value must be at most {maxLength} characters; it has {value.Length}.", paramName);
        }
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
    }

    public static string Shorten(string value) => value.Length <= 60 ? value : string.Concat(value.AsSpan(0, 57), "...");

    public static string? Truncate(string? text, int maxLength = EventLogEntry.MaxErrorLength) =>
        text is null || text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength - 3), "...");

    [GeneratedRegex("^[a-z0-9]+([._-][a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex TypeNamePattern();
}
