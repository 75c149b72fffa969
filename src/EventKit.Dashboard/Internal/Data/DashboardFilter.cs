namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// Which events a list, a count or a bulk action covers: every field that is set must match. The dashboard's copy of
/// the operations API's event filter (status, type, entity, entity id, created range), so that pages and forms do not
/// depend on where that filter lives.
/// </summary>
internal sealed record DashboardFilter
{
    public static DashboardFilter All { get; } = new();

    public EventStatus? Status { get; init; }

    public string? Type { get; init; }

    public string? Entity { get; init; }

    public string? EntityId { get; init; }

    /// <summary>Inclusive lower bound on <see cref="EventRecord.CreatedAt"/>.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Exclusive upper bound on <see cref="EventRecord.CreatedAt"/>.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    public bool Matches(EventRecord record) =>
        (Status is not { } status || record.Status == status)
        && (Type is null || string.Equals(record.Type, Type, StringComparison.Ordinal))
        && (Entity is null || string.Equals(record.Entity, Entity, StringComparison.Ordinal))
        && (EntityId is null || string.Equals(record.EntityId, EntityId, StringComparison.Ordinal))
        && (CreatedFrom is not { } from || record.CreatedAt >= from)
        && (CreatedBefore is not { } before || record.CreatedAt < before);

    /// <summary>Whether only <see cref="Status"/> and <see cref="Type"/> are set (or fewer).</summary>
    public bool IsStatusAndTypeOnly => Entity is null && EntityId is null && CreatedFrom is null && CreatedBefore is null;
}
