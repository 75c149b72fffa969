namespace EventKit;

/// <summary>
/// A stored event: the row of the <c>events</c> table. Instances are immutable snapshots;
/// stores create new ones rather than mutating them.
/// </summary>
public sealed class EventRecord
{
    /// <summary>Gets the event id, a time-ordered (version 7) GUID assigned at publish.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the event type name, for example <c>user.created</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Gets the kind of entity the event is about, for example <c>user</c>.</summary>
    public required string Entity { get; init; }

    /// <summary>Gets the id of the entity the event is about.</summary>
    public required string EntityId { get; init; }

    /// <summary>Gets the payload as JSON text.</summary>
    public required string Payload { get; init; }

    /// <summary>Gets the current status.</summary>
    public EventStatus Status { get; init; }

    /// <summary>
    /// Gets the number of attempts started so far, over the event's whole life (a claim starts an attempt; a claim
    /// released before any handler ran gives it back). The event log numbers handler runs by it, so a number never
    /// repeats: a requeue or a replay continues the count.
    /// </summary>
    public int Attempts { get; init; }

    /// <summary>
    /// Gets how many of <see cref="Attempts"/> do not count toward <see cref="EventKitOptions.MaxAttempts"/>: attempts
    /// interrupted when a processor stopped, and every attempt before an operator last requeued or replayed the event
    /// (which gives it a fresh budget). An event is dead-lettered once <c>Attempts − UncountedAttempts</c> reaches its
    /// maximum.
    /// </summary>
    public int UncountedAttempts { get; init; }

    /// <summary>
    /// Gets the UTC time from which the event may be claimed: the publish time, a delayed time, the next retry, or,
    /// while <see cref="EventStatus.Processing"/>, the lease expiry.
    /// </summary>
    public required DateTimeOffset AvailableAt { get; init; }

    /// <summary>Gets the UTC time the event was published.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Gets the UTC time the event reached <see cref="EventStatus.Completed"/>, <see cref="EventStatus.DeadLetter"/> or
    /// <see cref="EventStatus.Cancelled"/>; otherwise <see langword="null"/>.
    /// </summary>
    public DateTimeOffset? ProcessedAt { get; init; }

    /// <summary>Gets the id of the processor holding the lease, while <see cref="EventStatus.Processing"/>.</summary>
    public string? LockedBy { get; init; }

    /// <summary>Gets the UTC time the current lease expires, while <see cref="EventStatus.Processing"/>.</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    /// <summary>Gets who caused the event (the design's <c>actor</c>), if known.</summary>
    public string? Actor { get; init; }

    /// <summary>Gets the correlation id given at publish, if any.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>Gets the idempotency key given at publish, if any. Keys are unique per store.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Gets the W3C <c>traceparent</c> of the publishing activity, if one was active.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Gets the error text of the last failed attempt, bounded in length; <see langword="null"/> after success or requeue.</summary>
    public string? LastError { get; init; }

    /// <summary>
    /// Gets whether the event is handled in order among the events of its entity, decided at publish.
    /// </summary>
    /// <value>Default <see cref="EventOrdering.None"/>.</value>
    public EventOrdering Ordering { get; init; }
}
