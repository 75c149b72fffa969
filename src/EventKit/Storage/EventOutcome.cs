namespace EventKit.Storage;

/// <summary>
/// What a processor decided for one claimed event, applied by <see cref="IEventStore.SettleAsync"/>.
/// </summary>
public sealed class EventOutcome
{
    /// <summary>Gets the event id.</summary>
    public required Guid EventId { get; init; }

    /// <summary>
    /// Gets the new status: <see cref="EventStatus.Completed"/>, <see cref="EventStatus.Failed"/> (retry at
    /// <see cref="AvailableAt"/>), <see cref="EventStatus.DeadLetter"/>, or <see cref="EventStatus.Pending"/> to
    /// release the lease without counting the attempt (shutdown before or during handling): an attempt in which no
    /// handler ran (no <see cref="Logs"/>) is given back (<see cref="EventRecord.Attempts"/> − 1); one whose runs were
    /// interrupted keeps its number, so the log never repeats it, and is not counted
    /// (<see cref="EventRecord.UncountedAttempts"/> + 1).
    /// </summary>
    public required EventStatus Status { get; init; }

    /// <summary>Gets the UTC time the event becomes claimable again; required for <see cref="EventStatus.Failed"/> and <see cref="EventStatus.Pending"/>.</summary>
    public DateTimeOffset? AvailableAt { get; init; }

    /// <summary>Gets the UTC time processing ended; required for <see cref="EventStatus.Completed"/> and <see cref="EventStatus.DeadLetter"/>.</summary>
    public DateTimeOffset? ProcessedAt { get; init; }

    /// <summary>Gets the error to store as <see cref="EventRecord.LastError"/>, for failures and dead letters.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the handler executions of this attempt. They are stored even if the lease was lost.</summary>
    public IReadOnlyList<EventLogEntry> Logs { get; init; } = [];

    /// <summary>
    /// Checks the shape every store requires before it applies the outcome: <see cref="ProcessedAt"/> for
    /// <see cref="EventStatus.Completed"/> and <see cref="EventStatus.DeadLetter"/>, <see cref="AvailableAt"/> for
    /// <see cref="EventStatus.Failed"/> and <see cref="EventStatus.Pending"/>; no other status is an outcome.
    /// </summary>
    /// <exception cref="ArgumentException">The outcome lacks the time its status needs, or its status is not an outcome.</exception>
    public void Validate()
    {
        var valid = Status switch
        {
            EventStatus.Completed or EventStatus.DeadLetter => ProcessedAt is not null,
            EventStatus.Failed or EventStatus.Pending => AvailableAt is not null,
            _ => false,
        };
        if (!valid)
        {
            throw new ArgumentException(
                $"Outcome for event {EventId} is invalid: status {Status} needs {(Status is EventStatus.Completed or EventStatus.DeadLetter ? "ProcessedAt" : "AvailableAt")}; Processing is not an outcome.",
                "outcome");
        }
    }
}
