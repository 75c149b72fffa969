namespace EventKit.Testing.Internal;

/// <summary>Wraps the application's store to see what is published; everything else passes through.</summary>
internal sealed class RecordingEventStore(IEventStore inner, HarnessRecorder recorder) : IEventStore
{
    public async ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default)
    {
        var id = await inner.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        if (id == record.Id)
        {
            recorder.OnAppended(record);
        }

        return id;
    }

    // Forwarded whole, so the store's own batch append (all stored or none, one statement where it can) is the one used.
    public async ValueTask<IReadOnlyList<Guid>> AppendManyAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken = default)
    {
        var ids = await inner.AppendManyAsync(records, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] == records[i].Id)
            {
                recorder.OnAppended(records[i]);
            }
        }

        return ids;
    }

    public ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, IReadOnlyCollection<string>? excludedTypes = null, CancellationToken cancellationToken = default) =>
        inner.ClaimAsync(owner, maxCount, maxPayloadBytes, now, leaseDuration, excludedTypes, cancellationToken);

    public ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        inner.RenewLeasesAsync(eventIds, owner, now, leaseDuration, cancellationToken);

    public ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default) =>
        inner.SettleAsync(outcomes, owner, cancellationToken);

    public ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) => inner.GetMetricsAsync(cancellationToken);

    public ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => inner.GetBacklogAsync(now, cancellationToken);

    public ValueTask<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        inner.GetCountsByTypeAsync(since, until, cancellationToken);

    public ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default) =>
        inner.GetDeadLettersAsync(type, limit, cancellationToken);

    public ValueTask<EventBatchResult> RequeueAsync(Guid? eventId, EventFilter filter, EventPosition? after, int batchSize, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.RequeueAsync(eventId, filter, after, batchSize, actor, reason, now, cancellationToken);

    public ValueTask<bool> ReplayAsync(Guid eventId, string handler, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.ReplayAsync(eventId, handler, actor, reason, now, cancellationToken);

    public ValueTask<bool> CancelAsync(Guid eventId, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.CancelAsync(eventId, actor, reason, now, cancellationToken);

    public ValueTask<int> PurgeAsync(EventFilter filter, EventPosition through, int batchSize, CancellationToken cancellationToken = default) => inner.PurgeAsync(filter, through, batchSize, cancellationToken);

    public ValueTask<bool> PauseAsync(EventTypePause pause, CancellationToken cancellationToken = default) => inner.PauseAsync(pause, cancellationToken);

    public ValueTask<bool> ResumeAsync(string type, CancellationToken cancellationToken = default) => inner.ResumeAsync(type, cancellationToken);

    public ValueTask<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken = default) => inner.GetPausesAsync(cancellationToken);

    public ValueTask<IReadOnlyList<EventRecord>> GetEventsAsync(EventFilter filter, EventOrder order, EventPosition? after, int limit, CancellationToken cancellationToken = default) =>
        inner.GetEventsAsync(filter, order, after, limit, cancellationToken);

    public ValueTask<IReadOnlyList<EventTimelineBucket>> GetTimelineAsync(DateTimeOffset since, DateTimeOffset before, EventTimelineInterval interval, CancellationToken cancellationToken = default) =>
        inner.GetTimelineAsync(since, before, interval, cancellationToken);

    public ValueTask<IReadOnlyList<EventTypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default) =>
        inner.GetTypeStatisticsAsync(since, before, cancellationToken);

    public ValueTask<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default) =>
        inner.GetHandlerStatisticsAsync(since, before, cancellationToken);

    public ValueTask RecordProcessorAsync(EventProcessorInfo processor, DateTimeOffset goneBefore, CancellationToken cancellationToken = default) =>
        inner.RecordProcessorAsync(processor, goneBefore, cancellationToken);

    public ValueTask RemoveProcessorAsync(string processorId, CancellationToken cancellationToken = default) => inner.RemoveProcessorAsync(processorId, cancellationToken);

    public ValueTask<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(DateTimeOffset seenSince, CancellationToken cancellationToken = default) =>
        inner.GetProcessorsAsync(seenSince, cancellationToken);

    public ValueTask<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default) => inner.GetEventAsync(eventId, cancellationToken);

    public ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default) =>
        inner.DeleteProcessedAsync(status, processedBefore, batchSize, cancellationToken);
}
