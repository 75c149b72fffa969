using System.Collections.Concurrent;
using EventKit.InMemory;

namespace EventKit.Tests;

/// <summary>
/// An in-memory store that reports what the processor asks of it and can fail as a database would: every call while
/// <see cref="Down"/> (an outage), claims a number of times, or the settle of chosen events (an outcome it refuses).
/// </summary>
internal sealed class ObservedStore(InMemoryEventStore inner) : IEventStore
{
    private readonly ConcurrentDictionary<Guid, Func<EventOutcome, bool>> _refusals = new();
    private int _claimFailuresLeft;
    private volatile bool _down;

    public int ClaimFailures;

    public int Claims;

    public int SettleFailures;

    /// <summary>Lease renewals so far.</summary>
    public int Renewals;

    /// <summary>Completed when a claim finds nothing; replace it to wait for the next one.</summary>
    public TaskCompletionSource EmptyClaim { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed by the next settle that fails; replace it to wait for another.</summary>
    public TaskCompletionSource SettleFailed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed by the next renewal; replace it to wait for another.</summary>
    public TaskCompletionSource Renewed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every call throws while set, as a database that is down would.</summary>
    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    /// <summary>When set, backlog and metrics reads throw, as a database that is down would.</summary>
    public bool FailReads { get; set; }

    /// <summary>Calls to <see cref="GetMetricsAsync"/> so far (the health probe must not make any).</summary>
    public int MetricsReads;

    /// <summary>Awaited by every claim before it claims (a slow database, or one a test holds).</summary>
    public Func<Task>? BeforeClaim { get; set; }

    public void FailNextClaims(int count) => _claimFailuresLeft = count;

    /// <summary>Makes every settle that contains an outcome of <paramref name="eventId"/> matching <paramref name="refuse"/> throw.</summary>
    public void RefuseOutcomeOf(Guid eventId, Func<EventOutcome, bool> refuse) => _refusals[eventId] = refuse;

    public void AcceptOutcomeOf(Guid eventId) => _refusals.TryRemove(eventId, out _);

    public async ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        if (BeforeClaim is { } before)
        {
            await before();
        }

        ThrowIfDown();
        if (Interlocked.Decrement(ref _claimFailuresLeft) >= 0)
        {
            Interlocked.Increment(ref ClaimFailures);
            throw new InvalidOperationException("The database is down.");
        }

        Interlocked.Increment(ref Claims);
        var claimed = await inner.ClaimAsync(owner, maxCount, maxPayloadBytes, now, leaseDuration, cancellationToken);
        if (claimed.Count == 0)
        {
            EmptyClaim.TrySetResult();
        }

        return claimed;
    }

    public ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default) => inner.AppendAsync(record, cancellationToken);

    public async ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        var renewed = await inner.RenewLeasesAsync(eventIds, owner, now, leaseDuration, cancellationToken);
        Interlocked.Increment(ref Renewals);
        Renewed.TrySetResult();
        return renewed;
    }

    public ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default)
    {
        try
        {
            ThrowIfDown();
            foreach (var outcome in outcomes)
            {
                if (_refusals.TryGetValue(outcome.EventId, out var refuse) && refuse(outcome))
                {
                    throw new InvalidOperationException($"The store refuses the outcome of {outcome.EventId}.");
                }
            }
        }
        catch
        {
            Interlocked.Increment(ref SettleFailures);
            SettleFailed.TrySetResult();
            throw;
        }

        return inner.SettleAsync(outcomes, owner, cancellationToken);
    }

    public ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref MetricsReads);
        return FailReads ? throw new InvalidOperationException("The database is down.") : inner.GetMetricsAsync(cancellationToken);
    }

    public ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        FailReads ? throw new InvalidOperationException("The database is down.") : inner.GetBacklogAsync(now, cancellationToken);

    public ValueTask<IReadOnlyList<EventTypeCount>> CountByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) => inner.CountByTypeAsync(since, until, cancellationToken);

    public ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default) => inner.GetDeadLettersAsync(type, limit, cancellationToken);

    public ValueTask<int> RequeueAsync(Guid? eventId, EventFilter filter, int batchSize, string performedBy, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.RequeueAsync(eventId, filter, batchSize, performedBy, reason, now, cancellationToken);

    public ValueTask<bool> ReplayAsync(Guid eventId, string handler, string performedBy, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.ReplayAsync(eventId, handler, performedBy, reason, now, cancellationToken);

    public ValueTask<bool> CancelAsync(Guid eventId, string performedBy, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.CancelAsync(eventId, performedBy, reason, now, cancellationToken);

    public ValueTask<int> PurgeAsync(EventFilter filter, int batchSize, CancellationToken cancellationToken = default) => inner.PurgeAsync(filter, batchSize, cancellationToken);

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

    public ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default) => inner.DeleteProcessedAsync(status, processedBefore, batchSize, cancellationToken);

    private void ThrowIfDown()
    {
        if (_down)
        {
            throw new InvalidOperationException("The database is down.");
        }
    }
}
