namespace EventKit;

/// <summary>An event with its handler log.</summary>
public sealed class EventDetails
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="event">The event.</param>
    /// <param name="log">Every handler execution recorded for the event, oldest first.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public EventDetails(EventRecord @event, IReadOnlyList<EventLogEntry> log)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(log);
        Event = @event;
        Log = log;
    }

    /// <summary>Gets the event.</summary>
    public EventRecord Event { get; }

    /// <summary>Gets every handler execution recorded for the event, oldest first.</summary>
    public IReadOnlyList<EventLogEntry> Log { get; }
}
