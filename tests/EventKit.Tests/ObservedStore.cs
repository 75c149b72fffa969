using System.Collections.Concurrent;
using EventKit.ContractTests;
using EventKit.InMemory;

namespace EventKit.Tests;

/// <summary>
/// An in-memory store that reports what the processor asks of it and can fail as a database would: every call while
/// <see cref="Down"/> (an outage), claims a number of times, or the settle of chosen events (an outcome it refuses).
/// </summary>
internal sealed class ObservedStore(InMemoryEventStore inner) : ForwardingEventStore(inner)
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

    /// <summary>Awaited by every lease renewal before it renews, given the call's token (a database that hangs, or one a test holds).</summary>
    public Func<CancellationToken, Task>? BeforeRenew { get; set; }

    public void FailNextClaims(int count) => _claimFailuresLeft = count;

    /// <summary>Makes every settle that contains an outcome of <paramref name="eventId"/> matching <paramref name="refuse"/> throw.</summary>
    public void RefuseOutcomeOf(Guid eventId, Func<EventOutcome, bool> refuse) => _refusals[eventId] = refuse;

    public void AcceptOutcomeOf(Guid eventId) => _refusals.TryRemove(eventId, out _);

    public override async ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, IReadOnlyCollection<string>? excludedTypes = null, CancellationToken cancellationToken = default)
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
        var claimed = await Inner.ClaimAsync(owner, maxCount, maxPayloadBytes, now, leaseDuration, excludedTypes, cancellationToken);
        if (claimed.Count == 0)
        {
            EmptyClaim.TrySetResult();
        }

        return claimed;
    }

    public override async ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        if (BeforeRenew is { } before)
        {
            await before(cancellationToken);
        }

        ThrowIfDown();
        var renewed = await Inner.RenewLeasesAsync(eventIds, owner, now, leaseDuration, cancellationToken);
        Interlocked.Increment(ref Renewals);
        Renewed.TrySetResult();
        return renewed;
    }

    public override ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default)
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

        SettleGroups.Enqueue(outcomes.Count);
        return Inner.SettleAsync(outcomes, owner, cancellationToken);
    }

    /// <summary>As a database call does (the EF store's DELETE), a cancelled token fails the removal of a heartbeat row.</summary>
    public override ValueTask RemoveProcessorAsync(string processorId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDown();
        return Inner.RemoveProcessorAsync(processorId, cancellationToken);
    }

    /// <summary>The size of every group of outcomes the store accepted to record, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> SettleGroups { get; } = new();

    public override ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref MetricsReads);
        return FailReads ? throw new InvalidOperationException("The database is down.") : Inner.GetMetricsAsync(cancellationToken);
    }

    public override ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        FailReads ? throw new InvalidOperationException("The database is down.") : Inner.GetBacklogAsync(now, cancellationToken);

    private void ThrowIfDown()
    {
        if (_down)
        {
            throw new InvalidOperationException("The database is down.");
        }
    }
}
