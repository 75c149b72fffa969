namespace EventKit;

/// <summary>
/// Which events a query or a bulk action concerns: every property set narrows the selection; none set selects every
/// event. Used by <see cref="IEventOperations.GetEventsAsync"/>,
/// <see cref="IEventOperations.RequeueMatchingAsync"/> and
/// <see cref="IEventOperations.PurgeAsync"/>.
/// </summary>
/// <remarks>
/// Each combination is served by an index of the EF store's events table: status, type, and entity (with or without
/// an entity id) each lead one, ordered by creation time, and the creation range alone uses the creation-time index.
/// </remarks>
public sealed class EventFilter
{
    /// <summary>Gets only events in this status, or <see langword="null"/> for any.</summary>
    /// <value>Default <see langword="null"/>. A defined <see cref="EventStatus"/>.</value>
    public EventStatus? Status { get; init; }

    /// <summary>Gets only events of this type, or <see langword="null"/> for any.</summary>
    /// <value>Default <see langword="null"/>. A valid event type name.</value>
    public string? Type { get; init; }

    /// <summary>Gets only events about this kind of entity, or <see langword="null"/> for any.</summary>
    /// <value>Default <see langword="null"/>. Not blank, at most 100 characters.</value>
    public string? Entity { get; init; }

    /// <summary>Gets only events about the entity with this id; requires <see cref="Entity"/>.</summary>
    /// <value>Default <see langword="null"/>. Not blank, at most 200 characters.</value>
    public string? EntityId { get; init; }

    /// <summary>Gets only events created at or after this UTC time, or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Gets only events created before this UTC time (exclusive), or <see langword="null"/>.</summary>
    /// <value>Default <see langword="null"/>. Not before <see cref="CreatedFrom"/>.</value>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Returns a short description of the filter, e.g. <c>status=dead_letter type=invoice.paid</c>.</summary>
    /// <returns>The description; <c>(all events)</c> when nothing is set.</returns>
    public override string ToString()
    {
        var parts = new List<string>(6);
        if (Status is { } status && Enum.IsDefined(status))
        {
            parts.Add($"status={status.ToStorageString()}");
        }

        if (Type is not null)
        {
            parts.Add($"type={Type}");
        }

        if (Entity is not null)
        {
            parts.Add($"entity={Entity}");
        }

        if (EntityId is not null)
        {
            parts.Add($"entityId={EntityId}");
        }

        if (CreatedFrom is { } from)
        {
            parts.Add($"createdFrom={from.UtcDateTime:O}");
        }

        if (CreatedBefore is { } before)
        {
            parts.Add($"createdBefore={before.UtcDateTime:O}");
        }

        return parts.Count == 0 ? "(all events)" : string.Join(' ', parts);
    }
}
