namespace EventKit.Storage;

/// <summary>An event leased to a processor by <see cref="IEventStore.ClaimAsync"/>.</summary>
public sealed class ClaimedEvent
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="event">The event as it is after the claim (status <see cref="EventStatus.Processing"/>, attempts incremented).</param>
    /// <param name="succeededHandlers">Names of the handlers that already succeeded for this event in earlier attempts.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public ClaimedEvent(EventRecord @event, IReadOnlyCollection<string> succeededHandlers)
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(succeededHandlers);
        Event = @event;
        SucceededHandlers = succeededHandlers;
    }

    /// <summary>Gets the event as it is after the claim.</summary>
    public EventRecord Event { get; }

    /// <summary>Gets the names of the handlers that already succeeded for this event; they are not run again.</summary>
    public IReadOnlyCollection<string> SucceededHandlers { get; }
}
