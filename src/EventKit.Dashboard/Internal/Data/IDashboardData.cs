namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// Everything the dashboard reads from and does to EventKit, in one place: no page touches <see cref="IEventOperations"/>
/// or <see cref="IEventStore"/>. <see cref="OperationsDashboardData"/> implements it over the operations API of this
/// version; when that API grows (keyset listing, timeline, statistics, processors, replay, cancel, purge, pause),
/// only the implementation changes, and <see cref="Capabilities"/> with it.
/// </summary>
internal interface IDashboardData
{
    /// <summary>What this implementation can list and do; pages offer nothing else.</summary>
    DashboardCapabilities Capabilities { get; }

    Task<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken);

    /// <summary>Waiting events, since when the oldest runnable one is due, dead letters: an index-supported probe.</summary>
    Task<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Created / completed / failed / dead-lettered per <paramref name="interval"/> in [<paramref name="from"/>, <paramref name="until"/>), oldest first, empty intervals included.</summary>
    Task<IReadOnlyList<TimelineBucket>> GetTimelineAsync(DateTimeOffset from, DateTimeOffset until, TimeSpan interval, CancellationToken cancellationToken);

    /// <summary>Per event type over the range, ordered by type.</summary>
    Task<IReadOnlyList<TypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Per handler (of each type) over the range, ordered by type, then handler.</summary>
    Task<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken);

    Task<IReadOnlyList<ProcessorInfo>> GetProcessorsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<TypePause>> GetPausedTypesAsync(CancellationToken cancellationToken);

    /// <summary>One page of the events <paramref name="filter"/> matches, by created time (then id), keyset-paged by <paramref name="continuation"/>.</summary>
    /// <exception cref="FormatException"><paramref name="continuation"/> is not a token this list returned.</exception>
    Task<EventListPage> ListEventsAsync(DashboardFilter filter, bool oldestFirst, string? continuation, int pageSize, CancellationToken cancellationToken);

    /// <summary>How many events <paramref name="filter"/> matches, counted up to <paramref name="max"/>.</summary>
    Task<long> CountEventsAsync(DashboardFilter filter, long max, CancellationToken cancellationToken);

    /// <summary>Events of <paramref name="status"/> grouped by type and first line of their last error, largest groups first.</summary>
    Task<IReadOnlyList<FailureGroup>> GetFailureGroupsAsync(EventStatus status, CancellationToken cancellationToken);

    Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken);

    /// <summary>Requeues one dead-lettered or failed event; <see langword="false"/> when it is neither any more.</summary>
    Task<bool> RequeueAsync(Guid eventId, OperatorAction action, CancellationToken cancellationToken);

    /// <summary>Requeues every event <paramref name="filter"/> matches (see <see cref="DashboardCapabilities.CanRequeue"/>); returns how many.</summary>
    Task<long> RequeueAsync(DashboardFilter filter, OperatorAction action, CancellationToken cancellationToken);

    /// <summary>Runs one handler (or, with <see langword="null"/>, every handler) of a completed event again.</summary>
    Task<bool> ReplayAsync(Guid eventId, string? handler, OperatorAction action, CancellationToken cancellationToken);

    /// <summary>Cancels a pending or delayed event; <see langword="false"/> when it is neither.</summary>
    Task<bool> CancelAsync(Guid eventId, OperatorAction action, CancellationToken cancellationToken);

    /// <summary>Deletes every event <paramref name="filter"/> matches (see <see cref="DashboardCapabilities.CanPurge"/>); returns how many.</summary>
    Task<long> PurgeAsync(DashboardFilter filter, OperatorAction action, CancellationToken cancellationToken);

    Task<bool> PauseAsync(string type, OperatorAction action, CancellationToken cancellationToken);

    Task<bool> ResumeAsync(string type, OperatorAction action, CancellationToken cancellationToken);
}
