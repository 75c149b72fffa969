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
}
