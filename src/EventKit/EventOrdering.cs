namespace EventKit;

/// <summary>
/// Whether an event is handled in order among the events of its entity (the same <see cref="EventRecord.Entity"/> and
/// <see cref="EventRecord.EntityId"/>), and what a dead letter among them does. Decided at publish, from
/// <see cref="EventTypeAttribute.Ordered"/> or <see cref="PublishOptions.Ordered"/> and
/// <see cref="EventKitOptions.OrderedDeadLetters"/>, and stored with the event, so every instance applies the same rule.
/// </summary>
/// <remarks>
/// An ordered event is claimed only when no ordered event of its entity published before it (by
/// <see cref="EventRecord.CreatedAt"/>, then <see cref="EventRecord.Id"/>) is still unfinished: pending (delayed ones
/// included), processing, failed and waiting for its retry, or, for <see cref="PerEntityStrict"/> events, dead-lettered.
/// Completed, cancelled and purged events never hold back later ones. Events that are not ordered are never held back
/// and never hold back others.
/// </remarks>
public enum EventOrdering
{
    /// <summary>Not ordered: handled as soon as it is due, in parallel with any other event.</summary>
    None = 0,

    /// <summary>
    /// Ordered per entity; once dead-lettered the event no longer holds back the later events of its entity
    /// (<see cref="OrderedDeadLetterPolicy.Skip"/>).
    /// </summary>
    PerEntity = 1,

    /// <summary>
    /// Ordered per entity; while dead-lettered the event still holds back the later events of its entity, until an
    /// operator requeues it (it then runs first) or purges it (<see cref="OrderedDeadLetterPolicy.Wait"/>).
    /// </summary>
    PerEntityStrict = 2,
}
