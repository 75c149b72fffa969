using System.Globalization;

namespace EventKit.Dashboard.Internal.Data;

/// <summary>A keyset position in an event list: the created time and id of the last event shown.</summary>
internal readonly record struct EventCursor(long CreatedTicks, Guid Id)
{
    public static EventCursor Of(EventRecord record) => new(record.CreatedAt.UtcTicks, record.Id);

    /// <exception cref="FormatException">The text is not a cursor.</exception>
    public static EventCursor Parse(string text)
    {
        var parts = text.Split('_');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || !Guid.TryParseExact(parts[1], "N", out var id))
        {
            throw new FormatException("The page token is not one this list returned.");
        }

        return new EventCursor(ticks, id);
    }

    /// <summary>Whether <paramref name="record"/> comes after this position in oldest-first order.</summary>
    public bool IsBefore(EventRecord record) =>
        record.CreatedAt.UtcTicks > CreatedTicks || (record.CreatedAt.UtcTicks == CreatedTicks && record.Id.CompareTo(Id) > 0);

    /// <summary>Whether <paramref name="record"/> comes after this position in newest-first order.</summary>
    public bool IsAfter(EventRecord record) =>
        record.CreatedAt.UtcTicks < CreatedTicks || (record.CreatedAt.UtcTicks == CreatedTicks && record.Id.CompareTo(Id) < 0);

    public override string ToString() => CreatedTicks.ToString(CultureInfo.InvariantCulture) + "_" + Id.ToString("N");
}
