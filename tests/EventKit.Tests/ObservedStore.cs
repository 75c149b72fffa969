using EventKit.InMemory;

namespace EventKit.Tests;

/// <summary>An in-memory store that reports empty claims and can fail claims, as a database that is down would.</summary>
internal sealed class ObservedStore(InMemoryEventStore inner) : IEventStore
{
    private int _claimFailuresLeft;

    public int ClaimFailures;

    /// <summary>Completed when a claim finds nothing; replace it to wait for the next one.</summary>
    public TaskCompletionSource EmptyClaim { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void FailNextClaims(int count) => _claimFailuresLeft = count;

    /// <summary>When set, backlog and metrics reads throw, as a database that is down would.</summary>
    public bool FailReads { get; set; }

    public async ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Decrement(ref _claimFailuresLeft) >= 0)
        {
            Interlocked.Increment(ref ClaimFailures);
            throw new InvalidOperationException("The database is down.");
        }

        var claimed = await inner.ClaimAsync(owner, maxCount, now, leaseUntil, cancellationToken);
        if (claimed.Count == 0)
        {
            EmptyClaim.TrySetResult();
        }

        return claimed;
    }

    public ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default) => inner.AppendAsync(record, cancellationToken);

    /// <summary>Lease renewals so far.</summary>
    public int Renewals;

    /// <summary>Completed by the next renewal; replace it to wait for another.</summary>
    public TaskCompletionSource Renewed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask<int> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        var renewed = await inner.RenewLeasesAsync(eventIds, owner, leaseUntil, cancellationToken);
        Interlocked.Increment(ref Renewals);
        Renewed.TrySetResult();
        return renewed;
    }

    public ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default) => inner.SettleAsync(outcomes, owner, cancellationToken);

    public ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) =>
        FailReads ? throw new InvalidOperationException("The database is down.") : inner.GetMetricsAsync(cancellationToken);

    public ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        FailReads ? throw new InvalidOperationException("The database is down.") : inner.GetBacklogAsync(now, cancellationToken);

    public ValueTask<IReadOnlyList<EventTypeCount>> CountByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) => inner.CountByTypeAsync(since, until, cancellationToken);

    public ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default) => inner.GetDeadLettersAsync(type, limit, cancellationToken);

    public ValueTask<int> RequeueAsync(Guid? eventId, string? type, DateTimeOffset now, CancellationToken cancellationToken = default) => inner.RequeueAsync(eventId, type, now, cancellationToken);

    public ValueTask<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default) => inner.GetEventAsync(eventId, cancellationToken);

    public ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default) => inner.DeleteProcessedAsync(status, processedBefore, batchSize, cancellationToken);
}
