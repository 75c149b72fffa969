using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>A bulk purge or requeue while matching dead letters keep arriving: it ends, having taken what matched when it started.</summary>
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public async Task Purge_MatchingDeadLettersKeepArriving_EndsAfterThoseThatMatchedAtTheStart_AndKeepsTheNewOnes()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var arriving = await DeadLettersArrivingAsync("purge");
        var app = arriving.App;

        var purged = await app.Operations.PurgeAsync(Arriving.Filter, Operator, "load-test data");

        purged.Should().Be(5, "the five dead letters that matched when the purge started");
        foreach (var id in arriving.Existing)
        {
            (await app.Operations.GetEventAsync(id)).Should().BeNull();
        }

        arriving.Arrived.Should().HaveCount(2 * 4, "two arrive before each of the 2 + 2 + 1 + 0 batches (a short batch may have lost rows to a concurrent change: only an empty one ends the purge)");
        foreach (var id in arriving.Arrived)
        {
            (await app.GetAsync(id)).Status.Should().Be(EventStatus.DeadLetter, "it arrived while the purge ran");
        }
    }

    [SkippableFact]
    public async Task RequeueMatching_MatchingDeadLettersKeepArriving_EndsOnceItReachesThoseThatMatchedAtTheStart()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var arriving = await DeadLettersArrivingAsync("requeue");
        var app = arriving.App;

        var requeued = await app.Operations.RequeueMatchingAsync(Arriving.Filter, Operator, "retry");

        // Batches of two, in creation order: old 0-1, old 2-3, then old 4 and the first arrival (same creation time,
        // later id), which reaches the bound: the call ends there.
        arriving.Batches.Should().Be(3);
        requeued.Should().Be(6, "the five that matched at the start, and one arrival in the batch that reached the last of them");
        foreach (var id in arriving.Existing)
        {
            (await app.GetLogAsync(id)).Count(l => l.Kind == EventLogKind.Requeue).Should().Be(1);
        }
    }

    /// <summary>
    /// Five dead letters of "test.event"; before each batch of a bulk <paramref name="action"/> (CleanupBatchSize 2) two
    /// more matching dead letters arrive, with the same creation time (only the id, publish order, tells them apart). A
    /// call that goes on while batches come back full never ends then, so the 21st batch fails it instead.
    /// </summary>
    private async Task<Arriving> DeadLettersArrivingAsync(string action)
    {
        var arriving = new Arriving();
        arriving.App = TestApp.Create(
            UseStore,
            o => o.CleanupBatchSize = 2,
            services: ConfigureServices,
            commit: CommitAsync,
            wrapStore: inner => new ArrivingStore(inner, batchSize => arriving.BeforeBatchAsync(batchSize, action)));
        arriving.App.Probe.FailWith(nameof(TestEventHandler), () => new NonRetryableEventException("down"));
        for (var i = 0; i < 5; i++)
        {
            arriving.Existing.Add(await arriving.App.PublishAsync(p => p.PublishAsync("test.event", "test", $"old-{i}", new { data = "x" })));
        }

        await arriving.App.DrainAsync();
        return arriving;
    }

    private sealed class Arriving : IAsyncDisposable
    {
        public static EventFilter Filter { get; } = new() { Type = "test.event", Status = EventStatus.DeadLetter };

        public TestApp App { get; set; } = null!;

        public List<Guid> Existing { get; } = [];

        public List<Guid> Arrived { get; } = [];

        public int Batches { get; private set; }

        public async Task BeforeBatchAsync(int batchSize, string action)
        {
            if (++Batches > 20)
            {
                throw new InvalidOperationException($"The {action} did not end: it took new events as they arrived.");
            }

            for (var i = 0; i < batchSize; i++)
            {
                Arrived.Add(await App.PublishAsync(p => p.PublishAsync("test.event", "test", $"new-{Arrived.Count}", new { data = "x" })));
            }

            await App.DrainAsync();
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    /// <summary>Runs <paramref name="beforeBatch"/> (events arriving) before each batch of a purge or a bulk requeue.</summary>
    private sealed class ArrivingStore(IEventStore inner, Func<int, Task> beforeBatch) : ForwardingEventStore(inner)
    {
        public override async ValueTask<EventBatchResult> RequeueAsync(Guid? eventId, EventFilter filter, EventPosition? after, int batchSize, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
        {
            await beforeBatch(batchSize);
            return await Inner.RequeueAsync(eventId, filter, after, batchSize, actor, reason, now, cancellationToken);
        }

        public override async ValueTask<int> PurgeAsync(EventFilter filter, EventPosition through, int batchSize, CancellationToken cancellationToken = default)
        {
            await beforeBatch(batchSize);
            return await Inner.PurgeAsync(filter, through, batchSize, cancellationToken);
        }
    }
}
