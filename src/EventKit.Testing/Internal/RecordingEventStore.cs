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

    public ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        inner.ClaimAsync(owner, maxCount, maxPayloadBytes, now, leaseDuration, cancellationToken);

    public ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        inner.RenewLeasesAsync(eventIds, owner, now, leaseDuration, cancellationToken);

    public ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default) =>
        inner.SettleAsync(outcomes, owner, cancellationToken);

    public ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) => inner.GetMetricsAsync(cancellationToken);

    public ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => inner.GetBacklogAsync(now, cancellationToken);

    public ValueTask<IReadOnlyList<EventTypeCount>> CountByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) =>
        inner.CountByTypeAsync(since, until, cancellationToken);

    public ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default) =>
        inner.GetDeadLettersAsync(type, limit, cancellationToken);

    public ValueTask<int> RequeueAsync(Guid? eventId, string? type, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.RequeueAsync(eventId, type, now, cancellationToken);

    public ValueTask<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default) => inner.GetEventAsync(eventId, cancellationToken);

    public ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default) =>
        inner.DeleteProcessedAsync(status, processedBefore, batchSize, cancellationToken);
}
