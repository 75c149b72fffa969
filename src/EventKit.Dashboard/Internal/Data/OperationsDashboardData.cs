using System.Globalization;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// <see cref="IDashboardData"/> over the operations API of this EventKit version (<see cref="IEventOperations"/>, the
/// store's backlog probe and retention delete) and over EventKit's telemetry (<see cref="ProcessStatistics"/>).
/// This version lists dead letters only (up to <see cref="MaxListed"/>, the operations API's limit), requeues by type,
/// purges every dead letter, and cannot replay, cancel or pause; <see cref="Capabilities"/> says so, and the pages offer
/// exactly that. Operator actions are recorded in the application log (event 3001) with who performed them, since
/// this operations API takes no <c>performedBy</c>.
/// </summary>
internal sealed class OperationsDashboardData : IDashboardData
{
    /// <summary>The most dead letters this version's operations API returns in one call.</summary>
    public const int MaxListed = 10_000;

    private const int PurgeBatchSize = 1_000;

    private readonly IEventOperations _operations;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ProcessStatistics _statistics;
    private readonly EventKitHealthCheck? _health;
    private readonly bool _processing;
    private readonly ILogger _logger;

    public OperationsDashboardData(IServiceProvider services, ProcessStatistics statistics, ILogger logger)
    {
        _operations = services.GetRequiredService<IEventOperations>();
        _scopes = services.GetRequiredService<IServiceScopeFactory>();
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _health = services.GetService<EventKitHealthCheck>();
        _processing = services.GetService<IOptions<EventKitOptions>>()?.Value.EnableProcessing ?? true;
        _statistics = statistics;
        _logger = logger;
        Capabilities = new DashboardCapabilities
        {
            ListableStatuses = new HashSet<EventStatus> { EventStatus.DeadLetter },
            FullFilter = true,
            Requeueable = new HashSet<EventStatus> { EventStatus.DeadLetter },
            Replay = false,
            Cancel = false,
            Pause = false,
            StoreWideStatistics = false,
            StatisticsSince = statistics.StartedAt,
            CanRequeue = f => f.Status == EventStatus.DeadLetter && f.IsStatusAndTypeOnly,
            CanPurge = f => f.Status == EventStatus.DeadLetter && f.Type is null && f.IsStatusAndTypeOnly,
        };
    }

    public DashboardCapabilities Capabilities { get; }

    public Task<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken) => _operations.GetMetricsAsync(cancellationToken);

    public Task<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WithStoreAsync(store => store.GetBacklogAsync(now, cancellationToken));

    public Task<IReadOnlyList<TimelineBucket>> GetTimelineAsync(DateTimeOffset from, DateTimeOffset until, TimeSpan interval, CancellationToken cancellationToken) =>
        Task.FromResult(_statistics.Timeline(from, until, interval));

    public async Task<IReadOnlyList<TypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var counts = await _operations.GetCountsByTypeAsync(from, until, cancellationToken).ConfigureAwait(false);
        return counts.Select(c =>
        {
            var (runs, failures, average, p95) = _statistics.ForType(c.Type);
            return new TypeStatistics(c.Type, c.Count, runs, failures, average, p95);
        }).ToList();
    }

    public Task<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
        Task.FromResult(_statistics.Handlers());

    public async Task<IReadOnlyList<ProcessorInfo>> GetProcessorsAsync(CancellationToken cancellationToken)
    {
        if (!_processing)
        {
            return [];
        }

        // This process's processor: its last loop cycle from the health check when the application registered it,
        // else its last handler run; in flight, the store's leased events (this processor's when it is the only one).
        var lastSeen = _statistics.LastRunAt ?? _statistics.StartedAt;
        if (_health is not null)
        {
            var result = await _health.CheckHealthAsync(new HealthCheckContext(), cancellationToken).ConfigureAwait(false);
            if (result.Data.TryGetValue("last_processor_cycle", out var cycle) && cycle is string text
                && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
            {
                lastSeen = at;
            }
        }

        var metrics = await _operations.GetMetricsAsync(cancellationToken).ConfigureAwait(false);
        return [new ProcessorInfo($"{Environment.MachineName}/{Environment.ProcessId}", Environment.MachineName, _statistics.StartedAt, lastSeen, metrics.Processing)];
    }

    public Task<IReadOnlyList<TypePause>> GetPausedTypesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TypePause>>([]);

    public async Task<EventListPage> ListEventsAsync(DashboardFilter filter, bool oldestFirst, string? continuation, int pageSize, CancellationToken cancellationToken)
    {
        EventCursor? position = continuation is null ? null : EventCursor.Parse(continuation);
        var matching = await ListedAsync(filter, cancellationToken).ConfigureAwait(false);
        IEnumerable<EventRecord> ordered = oldestFirst
            ? matching.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)
            : matching.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id);
        if (position is { } after)
        {
            ordered = ordered.Where(e => oldestFirst ? after.IsBefore(e) : after.IsAfter(e));
        }

        var page = ordered.Take(pageSize + 1).ToList();
        var next = page.Count > pageSize ? EventCursor.Of(page[pageSize - 1]).ToString() : null;
        return new EventListPage(page.Take(pageSize).ToList(), next);
    }

    public async Task<long> CountEventsAsync(DashboardFilter filter, long max, CancellationToken cancellationToken) =>
        Math.Min(max, (await ListedAsync(filter, cancellationToken).ConfigureAwait(false)).Count);

    public async Task<IReadOnlyList<FailureGroup>> GetFailureGroupsAsync(EventStatus status, CancellationToken cancellationToken)
    {
        if (!Capabilities.CanList(status))
        {
            return [];
        }

        var events = await ListedAsync(new DashboardFilter { Status = status }, cancellationToken).ConfigureAwait(false);
        return events
            .GroupBy(e => (e.Type, Error: Format.FirstLine(e.LastError ?? string.Empty)))
            .Select(g => new FailureGroup(g.Key.Type, g.Key.Error, g.Count(), g.Max(e => e.ProcessedAt ?? e.CreatedAt), g.MaxBy(e => e.ProcessedAt ?? e.CreatedAt)!.Id))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Type, StringComparer.Ordinal).ThenBy(g => g.Error, StringComparer.Ordinal)
            .ToList();
    }

    public Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken) => _operations.GetEventAsync(eventId, cancellationToken);

    public async Task<bool> RequeueAsync(Guid eventId, OperatorAction action, CancellationToken cancellationToken)
    {
        var requeued = await _operations.RequeueAsync(eventId, action.PerformedBy, action.Reason ?? string.Empty, cancellationToken).ConfigureAwait(false);
        Log.ActionPerformed(_logger, "requeue", eventId.ToString(), action.PerformedBy, action.Reason ?? string.Empty, requeued ? 1 : 0);
        return requeued;
    }

    public async Task<long> RequeueAsync(DashboardFilter filter, OperatorAction action, CancellationToken cancellationToken)
    {
        if (!Capabilities.CanRequeue(filter))
        {
            throw new NotSupportedException("This EventKit version requeues dead letters by type only.");
        }

        // One type, or each type that has dead letters, through the operations API (which wakes the processor).
        var types = filter.Type is { } one
            ? [one]
            : (await ListedAsync(filter, cancellationToken).ConfigureAwait(false)).Select(e => e.Type).Distinct(StringComparer.Ordinal).ToList();
        long count = 0;
        foreach (var type in types)
        {
            count += await _operations.RequeueMatchingAsync(new EventFilter { Type = type, Status = EventStatus.DeadLetter }, action.PerformedBy, action.Reason ?? string.Empty, cancellationToken).ConfigureAwait(false);
        }

        Log.ActionPerformed(_logger, "requeue-by-filter", Describe(filter), action.PerformedBy, action.Reason ?? string.Empty, count);
        return count;
    }

    public Task<bool> ReplayAsync(Guid eventId, string? handler, OperatorAction action, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This EventKit version cannot replay handlers.");

    public Task<bool> CancelAsync(Guid eventId, OperatorAction action, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This EventKit version cannot cancel events.");

    public async Task<long> PurgeAsync(DashboardFilter filter, OperatorAction action, CancellationToken cancellationToken)
    {
        if (!Capabilities.CanPurge(filter))
        {
            throw new NotSupportedException("This EventKit version purges all dead letters only.");
        }

        // Retention's bounded delete, with a cut-off after every dead letter's processing time: all of them, in batches.
        var before = _time.GetUtcNow().AddTicks(1);
        long count = 0;
        int deleted;
        do
        {
            deleted = await WithStoreAsync(store => store.DeleteProcessedAsync(EventStatus.DeadLetter, before, PurgeBatchSize, cancellationToken)).ConfigureAwait(false);
            count += deleted;
        }
        while (deleted == PurgeBatchSize);

        Log.ActionPerformed(_logger, "purge", Describe(filter), action.PerformedBy, action.Reason ?? string.Empty, count);
        return count;
    }

    public Task<bool> PauseAsync(string type, OperatorAction action, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This EventKit version cannot pause event types.");

    public Task<bool> ResumeAsync(string type, OperatorAction action, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This EventKit version cannot pause event types.");

    private async Task<IReadOnlyList<EventRecord>> ListedAsync(DashboardFilter filter, CancellationToken cancellationToken)
    {
        if (!Capabilities.CanList(filter.Status))
        {
            return [];
        }

        var deadLetters = await _operations.GetDeadLettersAsync(filter.Type, MaxListed, cancellationToken).ConfigureAwait(false);
        return deadLetters.Where(filter.Matches).ToList();
    }

    private static string Describe(DashboardFilter filter) =>
        $"status={filter.Status?.ToStorageString() ?? "*"} type={filter.Type ?? "*"}";

    private async Task<T> WithStoreAsync<T>(Func<IEventStore, ValueTask<T>> operation)
    {
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await operation(scope.ServiceProvider.GetRequiredService<IEventStore>()).ConfigureAwait(false);
        }
    }
}
