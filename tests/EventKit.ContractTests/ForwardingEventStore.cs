namespace EventKit.ContractTests;

/// <summary>A store that forwards every call to another; test stores override only what they observe or break.</summary>
public abstract class ForwardingEventStore(IEventStore inner) : IEventStore
{
    protected IEventStore Inner { get; } = inner;

    public virtual ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default) => Inner.AppendAsync(record, cancellationToken);

    public virtual ValueTask<IReadOnlyList<Guid>> AppendManyAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken = default) => Inner.AppendManyAsync(records, cancellationToken);

    public virtual ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, IReadOnlyCollection<string>? excludedTypes = null, CancellationToken cancellationToken = default) => Inner.ClaimAsync(owner, maxCount, maxPayloadBytes, now, leaseDuration, excludedTypes, cancellationToken);

    public virtual ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default) => Inner.RenewLeasesAsync(eventIds, owner, now, leaseDuration, cancellationToken);

    public virtual ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default) => Inner.SettleAsync(outcomes, owner, cancellationToken);

    public virtual ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) => Inner.GetMetricsAsync(cancellationToken);

    public virtual ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => Inner.GetBacklogAsync(now, cancellationToken);

    public virtual ValueTask<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) => Inner.GetCountsByTypeAsync(since, until, cancellationToken);

    public virtual ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default) => Inner.GetDeadLettersAsync(type, limit, cancellationToken);

    public virtual ValueTask<EventBatchResult> RequeueAsync(Guid? eventId, EventFilter filter, EventPosition? after, int batchSize, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) => Inner.RequeueAsync(eventId, filter, after, batchSize, actor, reason, now, cancellationToken);

    public virtual ValueTask<bool> ReplayAsync(Guid eventId, string handler, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) => Inner.ReplayAsync(eventId, handler, actor, reason, now, cancellationToken);

    public virtual ValueTask<bool> CancelAsync(Guid eventId, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) => Inner.CancelAsync(eventId, actor, reason, now, cancellationToken);

    public virtual ValueTask<int> PurgeAsync(EventFilter filter, EventPosition through, int batchSize, CancellationToken cancellationToken = default) => Inner.PurgeAsync(filter, through, batchSize, cancellationToken);

    public virtual ValueTask<bool> PauseAsync(EventTypePause pause, CancellationToken cancellationToken = default) => Inner.PauseAsync(pause, cancellationToken);

    public virtual ValueTask<bool> ResumeAsync(string type, CancellationToken cancellationToken = default) => Inner.ResumeAsync(type, cancellationToken);

    public virtual ValueTask<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken = default) => Inner.GetPausesAsync(cancellationToken);

    public virtual ValueTask<IReadOnlyList<EventRecord>> GetEventsAsync(EventFilter filter, EventOrder order, EventPosition? after, int limit, CancellationToken cancellationToken = default) => Inner.GetEventsAsync(filter, order, after, limit, cancellationToken);

    public virtual ValueTask<IReadOnlyList<EventTimelineBucket>> GetTimelineAsync(DateTimeOffset since, DateTimeOffset before, EventTimelineInterval interval, CancellationToken cancellationToken = default) => Inner.GetTimelineAsync(since, before, interval, cancellationToken);

    public virtual ValueTask<IReadOnlyList<EventTypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default) => Inner.GetTypeStatisticsAsync(since, before, cancellationToken);

    public virtual ValueTask<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default) => Inner.GetHandlerStatisticsAsync(since, before, cancellationToken);

    public virtual ValueTask RecordProcessorAsync(EventProcessorInfo processor, DateTimeOffset goneBefore, CancellationToken cancellationToken = default) => Inner.RecordProcessorAsync(processor, goneBefore, cancellationToken);

    public virtual ValueTask RemoveProcessorAsync(string processorId, CancellationToken cancellationToken = default) => Inner.RemoveProcessorAsync(processorId, cancellationToken);

    public virtual ValueTask<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(DateTimeOffset seenSince, CancellationToken cancellationToken = default) => Inner.GetProcessorsAsync(seenSince, cancellationToken);

    public virtual ValueTask<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default) => Inner.GetEventAsync(eventId, cancellationToken);

    public virtual ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default) => Inner.DeleteProcessedAsync(status, processedBefore, batchSize, cancellationToken);
}
