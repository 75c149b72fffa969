using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>A bulk purge while matching dead letters keep arriving: it deletes what matched when it started, and ends.</summary>
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public async Task Purge_MatchingDeadLettersKeepArriving_EndsAfterThoseThatMatchedAtTheStart_AndKeepsTheNewOnes()
    {
        Skip.If(SkipReason is not null, SkipReason);
        TestApp? made = null;
        var batches = 0;
        var arrived = new List<Guid>();

        // Before each batch, as many matching dead letters arrive as one batch deletes. A purge that repeats batches
        // until one comes back short never ends then, so the 21st batch fails it instead of letting the test hang.
        async Task BeforeBatchAsync(int batchSize)
        {
            if (++batches > 20)
            {
                throw new InvalidOperationException("The purge did not end: it took new events as they arrived.");
            }

            for (var i = 0; i < batchSize; i++)
            {
                // Same creation time as the events being purged: only the id (publish order) tells them apart.
                arrived.Add(await made!.PublishAsync(p => p.PublishAsync("test.event", "test", $"new-{arrived.Count}", new { data = "x" })));
                await made.DrainAsync();
            }
        }

        await using var app = TestApp.Create(
            UseStore,
            o => o.CleanupBatchSize = 2,
            services: ConfigureServices,
            commit: CommitAsync,
            wrapStore: inner => new ArrivingStore(inner, BeforeBatchAsync));
        made = app;
        app.Probe.FailWith(nameof(TestEventHandler), () => new NonRetryableEventException("down"));
        var existing = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            existing.Add(await app.PublishAsync(p => p.PublishAsync("test.event", "test", $"old-{i}", new { data = "x" })));
        }

        await app.DrainAsync();

        var purged = await app.Operations.PurgeAsync(new EventFilter { Type = "test.event", Status = EventStatus.DeadLetter }, Operator, "load-test data");

        purged.Should().Be(5, "the five dead letters that matched when the purge started");
        foreach (var id in existing)
        {
            (await app.Operations.GetEventAsync(id)).Should().BeNull();
        }

        arrived.Should().HaveCount(2 * 3, "two arrive before each of the 2 + 2 + 1 batches");
        foreach (var id in arrived)
        {
            (await app.GetAsync(id)).Status.Should().Be(EventStatus.DeadLetter, "it arrived while the purge ran");
        }
    }

    [SkippableFact]
    public async Task RequeueMatching_MatchingDeadLettersKeepArriving_EndsOnceItReachesThoseThatMatchedAtTheStart()
    {
        Skip.If(SkipReason is not null, SkipReason);
        TestApp? made = null;
        var batches = 0;
        var arrived = new List<Guid>();

        // Before each batch two matching dead letters arrive (and what the last batch requeued fails again). A requeue
        // that goes on while batches come back full never ends then, so the 21st batch fails it instead.
        async Task BeforeBatchAsync(int batchSize)
        {
            if (++batches > 20)
            {
                throw new InvalidOperationException("The requeue did not end: it took new events as they arrived.");
            }

            for (var i = 0; i < batchSize; i++)
            {
                arrived.Add(await made!.PublishAsync(p => p.PublishAsync("test.event", "test", $"new-{arrived.Count}", new { data = "x" })));
            }

            await made!.DrainAsync();
        }

        await using var app = TestApp.Create(
            UseStore,
            o => o.CleanupBatchSize = 2,
            services: ConfigureServices,
            commit: CommitAsync,
            wrapStore: inner => new ArrivingStore(inner, BeforeBatchAsync));
        made = app;
        app.Probe.FailWith(nameof(TestEventHandler), () => new NonRetryableEventException("down"));
        var existing = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            existing.Add(await app.PublishAsync(p => p.PublishAsync("test.event", "test", $"old-{i}", new { data = "x" })));
        }

        await app.DrainAsync();

        var requeued = await app.Operations.RequeueMatchingAsync(new EventFilter { Type = "test.event", Status = EventStatus.DeadLetter }, Operator, "retry");

        // Batches of two, in creation order: old 0-1, old 2-3, then old 4 and the first arrival (same creation time,
        // later id), which reaches the bound: the call ends there.
        batches.Should().Be(3);
        requeued.Should().Be(6, "the five that matched at the start, and one arrival in the batch that reached the last of them");
        foreach (var id in existing)
        {
            (await app.GetLogAsync(id)).Count(l => l.Kind == EventLogKind.Requeue).Should().Be(1);
        }
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
