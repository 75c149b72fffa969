using System.Globalization;

namespace EventKit.Dashboard.Internal.Rendering;

/// <summary>How the pages write numbers, times and durations: invariant culture, UTC, short units.</summary>
internal static class Format
{
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string IsoTime(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>A handler run or processing time: "850 µs", "12 ms", "1.25 s", then as <see cref="Age"/>.</summary>
    public static string Duration(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            return "-" + Duration(value.Negate());
        }

        if (value < TimeSpan.FromMilliseconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value.TotalMicroseconds:0} µs");
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0.#} ms");
        }

        return value < TimeSpan.FromMinutes(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.##} s")
            : Age(value);
    }

    /// <summary>How long ago, or how long something waited: "5 s", "4 min 2 s", "3 h 5 min", "2 d 4 h".</summary>
    public static string Age(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            value = TimeSpan.Zero;
        }

        return value switch
        {
            { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)value.TotalSeconds} s"),
            { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.Minutes} min {value.Seconds} s"),
            { TotalDays: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.Hours} h {value.Minutes} min"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalDays} d {value.Hours} h"),
        };
    }

    /// <summary>The first line of a possibly long error text, cut to <paramref name="max"/> characters.</summary>
    public static string FirstLine(string text, int max = 200)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        var line = end < 0 ? text : text[..end];
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max), "…");
    }

    /// <summary>A duration, or a dash when there is none.</summary>
    public static string OptionalDuration(TimeSpan? value) => value is { } duration ? Duration(duration) : "—";

    /// <summary>A rate as a percentage ("2.5 %"), or a dash when nothing was counted.</summary>
    public static string Percent(double rate, long of) =>
        of == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{rate * 100:0.#} %");
}
