using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>
/// The application's <see cref="IEventOperations"/> with its store-wide aggregates (counts, oldest pending age,
/// timeline, type and handler statistics, and with <see cref="BlockLists"/> the event lists the failure groups are read
/// from) held until <see cref="Release"/>: a large store that has only just started computing. <see cref="FailFirst"/>
/// makes the first aggregate call fail instead.
/// </summary>
public sealed class BlockingOperations : IEventOperations
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IEventOperations? _inner;
    private int _calls;

    public bool BlockLists { get; init; }

    public bool FailFirst { get; init; }

    /// <summary>Completes when the first aggregate is asked for.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when a held call is cancelled (the application stops).</summary>
    public Task Cancelled => _cancelled.Task;

    /// <summary>How many aggregate calls were made.</summary>
    public int Calls => Volatile.Read(ref _calls);

    private IEventOperations Inner => _inner ?? throw new InvalidOperationException("Not registered.");

    /// <summary>Replaces the registered <see cref="IEventOperations"/> (after <c>AddEventKit()</c>) with this one around it.</summary>
    public void Register(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IEventOperations));
        services.Remove(registered);
        services.AddSingleton<IEventOperations>(sp =>
        {
            _inner = (IEventOperations)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!);
            return this;
        });
    }

    public void Release() => _gate.TrySetResult();

    public Task<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) => Held(() => Inner.GetMetricsAsync(cancellationToken), cancellationToken);

    public Task<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        Inner.GetCountsByTypeAsync(since, until, cancellationToken);

    public Task<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type = null, int limit = 100, CancellationToken cancellationToken = default) =>
        Inner.GetDeadLettersAsync(type, limit, cancellationToken);

    public Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default) => Inner.GetEventAsync(eventId, cancellationToken);

    public Task<EventPage> GetEventsAsync(EventFilter? filter = null, EventOrder order = EventOrder.NewestFirst, int pageSize = 100, string? continuationToken = null, CancellationToken cancellationToken = default) =>
        BlockLists
            ? Held(() => Inner.GetEventsAsync(filter, order, pageSize, continuationToken, cancellationToken), cancellationToken)
            : Inner.GetEventsAsync(filter, order, pageSize, continuationToken, cancellationToken);

    public Task<IReadOnlyList<EventTimelineBucket>> GetTimelineAsync(DateTimeOffset since, DateTimeOffset before, EventTimelineInterval interval, CancellationToken cancellationToken = default) =>
        Held(() => Inner.GetTimelineAsync(since, before, interval, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<EventTypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default) =>
        Held(() => Inner.GetTypeStatisticsAsync(since, before, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default) =>
        Held(() => Inner.GetHandlerStatisticsAsync(since, before, cancellationToken), cancellationToken);

    public Task<TimeSpan?> GetOldestPendingAgeAsync(CancellationToken cancellationToken = default) => Held(() => Inner.GetOldestPendingAgeAsync(cancellationToken), cancellationToken);

    public Task<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(CancellationToken cancellationToken = default) => Inner.GetProcessorsAsync(cancellationToken);

    public Task<bool> RequeueAsync(Guid eventId, string actor, string reason, CancellationToken cancellationToken = default) => Inner.RequeueAsync(eventId, actor, reason, cancellationToken);

    public Task<int> RequeueMatchingAsync(EventFilter filter, string actor, string reason, CancellationToken cancellationToken = default) =>
        Inner.RequeueMatchingAsync(filter, actor, reason, cancellationToken);

    public Task<bool> ReplayAsync(Guid eventId, string? handler, string actor, string reason, CancellationToken cancellationToken = default) =>
        Inner.ReplayAsync(eventId, handler, actor, reason, cancellationToken);

    public Task<bool> CancelAsync(Guid eventId, string actor, string reason, CancellationToken cancellationToken = default) => Inner.CancelAsync(eventId, actor, reason, cancellationToken);

    public Task<int> PurgeAsync(EventFilter filter, string actor, string reason, CancellationToken cancellationToken = default) => Inner.PurgeAsync(filter, actor, reason, cancellationToken);

    public Task<bool> PauseAsync(string type, string actor, string reason, CancellationToken cancellationToken = default) => Inner.PauseAsync(type, actor, reason, cancellationToken);

    public Task<bool> ResumeAsync(string type, string actor, CancellationToken cancellationToken = default) => Inner.ResumeAsync(type, actor, cancellationToken);

    public Task<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken = default) => Inner.GetPausesAsync(cancellationToken);

    public Task<RetentionResult> RunRetentionAsync(CancellationToken cancellationToken = default) => Inner.RunRetentionAsync(cancellationToken);

    private async Task<T> Held<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var first = Interlocked.Increment(ref _calls) == 1;
        _started.TrySetResult();
        if (first && FailFirst)
        {
            throw new InvalidOperationException("database is down");
        }

        try
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }

        return await call();
    }
}
