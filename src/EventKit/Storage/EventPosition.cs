namespace EventKit.Storage;

/// <summary>
/// Where a page of events ends: the creation time and id of its last event. Stores continue a query strictly after it
/// (see <see cref="IEventStore.GetEventsAsync"/>).
/// </summary>
public sealed class EventPosition
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="createdAt">The event's creation time (UTC).</param>
    /// <param name="id">The event's id.</param>
    public EventPosition(DateTimeOffset createdAt, Guid id)
    {
        CreatedAt = createdAt;
        Id = id;
    }

    /// <summary>Gets the creation time (UTC) of the last event of the page.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// Gets the id of the last event of the page. Events created at the same time are ordered by id as a database orders a
    /// UUID: by its 16 bytes in big-endian order (the order of its text form).
    /// </summary>
    public Guid Id { get; }

    /// <summary>Orders ids as a database orders UUIDs: by their 16 bytes in big-endian order (the order of their text).</summary>
    internal static int CompareIds(Guid x, Guid y)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, bigEndian: true, out _);
        y.TryWriteBytes(b, bigEndian: true, out _);
        return a.SequenceCompareTo(b);
    }

    /// <summary>Compares this position with <paramref name="other"/> in the stores' order: creation time, then id.</summary>
    internal int CompareTo(EventPosition other) => Compare(CreatedAt, Id, other);

    /// <summary>Compares an event's creation time and id with <paramref name="position"/> in the stores' order.</summary>
    internal static int Compare(DateTimeOffset createdAt, Guid id, EventPosition position)
    {
        var byTime = createdAt.CompareTo(position.CreatedAt);
        return byTime != 0 ? byTime : CompareIds(id, position.Id);
    }
}
