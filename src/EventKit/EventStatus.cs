namespace EventKit;

/// <summary>
/// The life-cycle state of a stored event. Stores persist these as the lower-case words of the
/// original design: <c>pending</c>, <c>processing</c>, <c>completed</c>, <c>failed</c>, <c>dead_letter</c>, and
/// <c>cancelled</c>.
/// </summary>
public enum EventStatus
{
    /// <summary>Waiting to be claimed; runnable once <see cref="EventRecord.AvailableAt"/> has passed.</summary>
    Pending = 0,

    /// <summary>Leased by a processor until <see cref="EventRecord.LockedUntil"/>. An expired lease makes the event claimable again.</summary>
    Processing = 1,

    /// <summary>Every handler registered for the event type has succeeded once. Terminal.</summary>
    Completed = 2,

    /// <summary>The last attempt failed; the event is retried at <see cref="EventRecord.AvailableAt"/>.</summary>
    Failed = 3,

    /// <summary>The event failed permanently (attempts exhausted, non-retryable error or undeserializable payload). Terminal until requeued.</summary>
    DeadLetter = 4,

    /// <summary>
    /// An operator cancelled the event before it ran (<see cref="IEventOperations.CancelAsync"/>): it was pending,
    /// delayed, or waiting for a retry. Terminal; kept, and removed by retention, like <see cref="Completed"/> events.
    /// </summary>
    Cancelled = 5,
}
