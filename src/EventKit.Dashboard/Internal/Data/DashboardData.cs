using EventKit.Dashboard.Internal.Rendering;

namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// Everything the dashboard reads from and does to EventKit, in one place: no page touches <see cref="IEventOperations"/>
/// itself. Every call goes to the operations API, so lists, statistics, processors and pauses cover the whole store
/// (every instance sharing it), and every action is recorded by EventKit with who performed it and why. The API's
/// <see cref="ArgumentException"/>s (a malformed page token, an invalid filter, an unknown handler, a type name too
/// long) come from what the operator asked for, and become <see cref="DashboardRequestException"/>s: 400 with the
/// API's message, nothing changed.
/// </summary>
internal sealed class DashboardData(IEventOperations operations, DashboardLimits limits, AggregateCache cache, TimeProvider time)
{
    /// <summary>The operations API's largest page, used when the dashboard reads many events (counting, grouping).</summary>
    public const int ScanPageSize = 1_000;

    /// <summary>Counts per status and the average processing time, store-wide (kept by <see cref="AggregateCache"/> on a large store).</summary>
    public Task<Cached<EventMetrics>> GetMetricsAsync(CancellationToken cancellationToken) =>
        cache.GetAsync(MetricsKey, operations.GetMetricsAsync, cancellationToken);

    /// <summary>
    /// How long the oldest runnable event has waited, as of when it was computed (the store counts the backlog beside it,
    /// so on a large store it is kept too).
    /// </summary>
    public Task<Cached<TimeSpan?>> GetOldestPendingAgeAsync(CancellationToken cancellationToken) =>
        cache.GetAsync(OldestKey, operations.GetOldestPendingAgeAsync, cancellationToken);

    /// <summary>
    /// The throughput of the last hour per minute, or (<paramref name="day"/>) of the last day per hour, up to the bucket
    /// holding the time it was computed.
    /// </summary>
    public Task<Cached<IReadOnlyList<EventTimelineBucket>>> GetTimelineAsync(bool day, CancellationToken cancellationToken) =>
        cache.GetAsync(TimelineKey(day), Timeline(day), cancellationToken);

    /// <summary>Per type, the events created in the last <paramref name="window"/> up to when it was computed.</summary>
    public Task<Cached<IReadOnlyList<EventTypeStatistics>>> GetTypeStatisticsAsync(TimeSpan window, CancellationToken cancellationToken) =>
        cache.GetAsync(TypesKey(window), TypeStatistics(window), cancellationToken);

    /// <summary>Per handler, the runs that ended in the last <paramref name="window"/> up to when it was computed.</summary>
    public Task<Cached<IReadOnlyList<HandlerStatistics>>> GetHandlerStatisticsAsync(TimeSpan window, CancellationToken cancellationToken) =>
        cache.GetAsync("handlers:" + Ticks(window), ct =>
        {
            var now = time.GetUtcNow();
            return operations.GetHandlerStatisticsAsync(now - window, now, ct);
        }, cancellationToken);

    /// <summary>
    /// Computes the overview's aggregates (the hour's timeline, type statistics over <paramref name="typeWindow"/>)
    /// unless they are kept, so the first operator finds them ready on a large store; completes when all are (or throws
    /// the first failure; each is logged by <see cref="AggregateCache"/>).
    /// </summary>
    public Task WarmUpOverviewAsync(TimeSpan typeWindow) => Task.WhenAll(
        cache.WarmAsync(MetricsKey, operations.GetMetricsAsync),
        cache.WarmAsync(OldestKey, operations.GetOldestPendingAgeAsync),
        cache.WarmAsync(TimelineKey(day: false), Timeline(day: false)),
        cache.WarmAsync(TypesKey(typeWindow), TypeStatistics(typeWindow)));

    public Task<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(CancellationToken cancellationToken) => operations.GetProcessorsAsync(cancellationToken);

    public Task<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken) => operations.GetPausesAsync(cancellationToken);

    public Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken) => operations.GetEventAsync(eventId, cancellationToken);

    /// <summary>One keyset page of the events <paramref name="filter"/> matches; <paramref name="continuation"/> is the previous page's token.</summary>
    public Task<EventPage> GetEventsAsync(EventFilter filter, EventOrder order, string? continuation, int pageSize, CancellationToken cancellationToken) =>
        Checked(() => operations.GetEventsAsync(filter, order, pageSize, continuation, cancellationToken));

    /// <summary>
    /// How many events <paramref name="filter"/> matches, and when it was counted. A filter of one status alone is counted
    /// exactly by the store's counts per status, through the cache like every page's aggregate (live on a small store;
    /// on a large one the kept counts with their time, or <see cref="Cached{T}.Computing"/> while the store counts for
    /// longer than a request waits); any other filter is counted now by paging through its matches, up to
    /// <see cref="DashboardLimits.MaxCounted"/>.
    /// </summary>
    public async Task<Cached<MatchCount>> CountAsync(EventFilter filter, CancellationToken cancellationToken)
    {
        if (filter is { Status: { } status, Type: null, Entity: null, EntityId: null, CreatedFrom: null, CreatedBefore: null })
        {
            var metrics = await GetMetricsAsync(cancellationToken).ConfigureAwait(false);
            return metrics.Computing
                ? Cached<MatchCount>.Pending(metrics.AsOf)
                : new Cached<MatchCount>(new MatchCount(Count(metrics.Value, status), Exact: true), metrics.AsOf, metrics.Kept);
        }

        long count = 0;
        var exact = await ScanAsync(filter, limits.MaxCounted, page => count += page.Count, cancellationToken).ConfigureAwait(false);
        return new Cached<MatchCount>(new MatchCount(count, exact), time.GetUtcNow(), Kept: false);
    }

    /// <summary>The newest (up to <see cref="DashboardLimits.MaxGrouped"/>) events of <paramref name="status"/>, grouped by type and first line of their last error, largest groups first.</summary>
    public Task<Cached<FailureGroups>> GetFailureGroupsAsync(EventStatus status, CancellationToken cancellationToken) =>
        cache.GetAsync("groups:" + status.ToStorageString(), ct => GroupAsync(status, ct), cancellationToken);

    private async Task<FailureGroups> GroupAsync(EventStatus status, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<(string Type, string Error), (long Count, DateTimeOffset Latest, Guid Example)>();
        long scanned = 0;
        var complete = await ScanAsync(new EventFilter { Status = status }, limits.MaxGrouped, page =>
        {
            scanned += page.Count;
            foreach (var record in page)
            {
                var key = (record.Type, Format.FirstLine(record.LastError ?? string.Empty));
                var at = record.ProcessedAt ?? record.CreatedAt;
                groups[key] = groups.TryGetValue(key, out var group)
                    ? (group.Count + 1, at > group.Latest ? at : group.Latest, at > group.Latest ? record.Id : group.Example)
                    : (1, at, record.Id);
            }
        }, cancellationToken).ConfigureAwait(false);
        var list = groups
            .Select(g => new FailureGroup(g.Key.Type, g.Key.Error, g.Value.Count, g.Value.Latest, g.Value.Example))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Type, StringComparer.Ordinal).ThenBy(g => g.Error, StringComparer.Ordinal)
            .ToList();
        return new FailureGroups(list, scanned, complete);
    }

    public Task<bool> RequeueAsync(Guid eventId, OperatorAction action, CancellationToken cancellationToken) =>
        Acting(() => operations.RequeueAsync(eventId, action.PerformedBy, action.Reason, cancellationToken));

    /// <summary>Requeues every failed or dead-lettered event <paramref name="filter"/> matches; returns how many.</summary>
    public Task<int> RequeueMatchingAsync(EventFilter filter, OperatorAction action, CancellationToken cancellationToken) =>
        Acting(() => operations.RequeueMatchingAsync(filter, action.PerformedBy, action.Reason, cancellationToken));

    /// <summary>Runs one handler (or, with <see langword="null"/>, every handler) of a completed event again.</summary>
    public Task<bool> ReplayAsync(Guid eventId, string? handler, OperatorAction action, CancellationToken cancellationToken) =>
        Acting(() => operations.ReplayAsync(eventId, handler, action.PerformedBy, action.Reason, cancellationToken));

    public Task<bool> CancelAsync(Guid eventId, OperatorAction action, CancellationToken cancellationToken) =>
        Acting(() => operations.CancelAsync(eventId, action.PerformedBy, action.Reason, cancellationToken));

    /// <summary>Deletes every event <paramref name="filter"/> matches (events being processed are kept); returns how many.</summary>
    public Task<int> PurgeAsync(EventFilter filter, OperatorAction action, CancellationToken cancellationToken) =>
        Acting(() => operations.PurgeAsync(filter, action.PerformedBy, action.Reason, cancellationToken));

    public Task<bool> PauseAsync(string type, OperatorAction action, CancellationToken cancellationToken) =>
        Acting(() => operations.PauseAsync(type, action.PerformedBy, action.Reason, cancellationToken));

    /// <summary>Resumes a paused type; the operations API records who (a resume takes no reason).</summary>
    public Task<bool> ResumeAsync(string type, OperatorAction action, CancellationToken cancellationToken) =>
        Acting(() => operations.ResumeAsync(type, action.PerformedBy, cancellationToken));

    public static long Count(EventMetrics metrics, EventStatus status) => status switch
    {
        EventStatus.Pending => metrics.Pending,
        EventStatus.Processing => metrics.Processing,
        EventStatus.Completed => metrics.Completed,
        EventStatus.Failed => metrics.Failed,
        EventStatus.DeadLetter => metrics.DeadLetters,
        _ => 0,
    };

    private const string MetricsKey = "metrics";

    private const string OldestKey = "oldest";

    private static string TimelineKey(bool day) => day ? "timeline:day" : "timeline:hour";

    private static string TypesKey(TimeSpan window) => "types:" + Ticks(window);

    private static string Ticks(TimeSpan window) => window.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Func<CancellationToken, Task<IReadOnlyList<EventTimelineBucket>>> Timeline(bool day) => ct =>
    {
        var now = time.GetUtcNow();
        var width = day ? TimeSpan.FromHours(1) : TimeSpan.FromMinutes(1);
        var until = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % width.Ticks), TimeSpan.Zero) + width;
        var from = until - (day ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1));
        return operations.GetTimelineAsync(from, until, day ? EventTimelineInterval.Hour : EventTimelineInterval.Minute, ct);
    };

    private Func<CancellationToken, Task<IReadOnlyList<EventTypeStatistics>>> TypeStatistics(TimeSpan window) => ct =>
    {
        var now = time.GetUtcNow();
        return operations.GetTypeStatisticsAsync(now - window, now, ct);
    };

    /// <summary>Reads the matches of <paramref name="filter"/>, newest first, up to <paramref name="max"/>; true when that was all of them.</summary>
    private async Task<bool> ScanAsync(EventFilter filter, int max, Action<IReadOnlyList<EventRecord>> onPage, CancellationToken cancellationToken)
    {
        string? token = null;
        var read = 0;
        do
        {
            var page = await GetEventsAsync(filter, EventOrder.NewestFirst, token, Math.Min(ScanPageSize, max - read), cancellationToken).ConfigureAwait(false);
            onPage(page.Events);
            read += page.Events.Count;
            token = page.ContinuationToken;
        }
        while (token is not null && read < max);

        return token is null;
    }

    /// <summary>An action: <see cref="Checked"/>, and every kept aggregate becomes due, so the pages catch up at once.</summary>
    private async Task<T> Acting<T>(Func<Task<T>> call)
    {
        try
        {
            return await Checked(call).ConfigureAwait(false);
        }
        finally
        {
            cache.Invalidate();
        }
    }

    private static async Task<T> Checked<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new DashboardRequestException(ex.Message);
        }
    }
}
