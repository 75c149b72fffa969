namespace EventKit;

/// <summary>One page of events from <see cref="IEventOperations.GetEventsAsync"/>.</summary>
public sealed class EventPage
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="events">The events of the page, in the order asked for.</param>
    /// <param name="continuationToken">The token of the next page, or <see langword="null"/> when this is the last.</param>
    /// <exception cref="ArgumentNullException"><paramref name="events"/> is <see langword="null"/>.</exception>
    public EventPage(IReadOnlyList<EventRecord> events, string? continuationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        Events = events;
        ContinuationToken = continuationToken;
    }

    /// <summary>Gets the events of the page, in the order asked for.</summary>
    public IReadOnlyList<EventRecord> Events { get; }

    /// <summary>
    /// Gets the opaque token that continues this query after the last event of this page, or <see langword="null"/>
    /// when there are no more. It is valid only with the same filter and order; pages are keyset-paged, so events
    /// added or removed meanwhile never shift a page.
    /// </summary>
    public string? ContinuationToken { get; }
}
