namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// What an <see cref="IDashboardData"/> can list and do. Pages show a status filter, an action or a bulk action only
/// where it answers yes, so a page never offers what would fail.
/// </summary>
internal sealed record DashboardCapabilities
{
    /// <summary>The statuses the event list can show (null: every status, and no status filter).</summary>
    public required IReadOnlySet<EventStatus>? ListableStatuses { get; init; }

    /// <summary>Whether the list can be filtered by entity, entity id and created range besides status and type.</summary>
    public required bool FullFilter { get; init; }

    /// <summary>The statuses from which one event can be requeued.</summary>
    public required IReadOnlySet<EventStatus> Requeueable { get; init; }

    public required bool Replay { get; init; }

    public required bool Cancel { get; init; }

    public required bool Pause { get; init; }

    /// <summary>Whether statistics and the timeline cover every instance (false: this process, since <see cref="StatisticsSince"/>).</summary>
    public required bool StoreWideStatistics { get; init; }

    /// <summary>When this process started recording statistics, for <see cref="StoreWideStatistics"/> false.</summary>
    public DateTimeOffset? StatisticsSince { get; init; }

    public required Func<DashboardFilter, bool> CanRequeue { get; init; }

    public required Func<DashboardFilter, bool> CanPurge { get; init; }

    public bool CanList(EventStatus? status) => ListableStatuses is null || (status is { } s && ListableStatuses.Contains(s));
}
