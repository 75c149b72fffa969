using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventKit.Tests;

public sealed class EventOperationsTests
{
    private const string Operator = "ana@ops";

    // A purge takes the events' own logs with it, so its log line (1031: count and who) is the only trace it leaves.
    // A bulk purge that deleted some batches and then stopped (the database failed, the caller's token was cancelled)
    // must still say how many it deleted, and who did it.
    [Fact]
    public async Task Purge_StoppedMidBulk_StillLogsTheEventsItDeleted()
    {
        var logs = new LogCapture();
        await using var app = TestApp.Create(
            _ => { },
            o => o.CleanupBatchSize = 2,
            services: s => s.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)).AddSingleton(typeof(ILogger<>), typeof(Logger<>)),
            wrapStore: inner => new FailingPurgeStore(inner));
        for (var i = 0; i < 5; i++)
        {
            await app.PublishAsync(p => p.PublishAsync("test.event", "test", $"{i}", new { data = "x" }));
        }

        var purge = () => app.Operations.PurgeAsync(new EventFilter { Type = "test.event" }, Operator, "load-test data");

        await purge.Should().ThrowAsync<InvalidOperationException>();
        (await app.Operations.GetEventsAsync(new EventFilter { Type = "test.event" })).Events.Should().HaveCount(3, "the first batch of two was deleted");
        logs.WithId(1031).Should().ContainSingle().Which.Message.Should().Be("Operator ana@ops purged 2 events");
    }

    [Fact]
    public async Task RequeueMatching_StoppedMidBulk_StillLogsTheEventsItRequeued()
    {
        var logs = new LogCapture();
        await using var app = TestApp.Create(
            _ => { },
            o => o.CleanupBatchSize = 2,
            services: s => s.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)).AddSingleton(typeof(ILogger<>), typeof(Logger<>)),
            wrapStore: inner => new FailingRequeueStore(inner));
        for (var i = 0; i < 5; i++)
        {
            await app.PublishAsync(p => p.PublishAsync("test.event", "test", $"{i}", new { data = "x" }));
        }

        await app.WithStoreAsync(async s =>
        {
            var claimed = await s.ClaimAsync("p", 10, int.MaxValue, app.Time.GetUtcNow(), TimeSpan.FromSeconds(30));
            return await s.SettleAsync([.. claimed.Select(c => new EventOutcome { EventId = c.Event.Id, Status = EventStatus.DeadLetter, ProcessedAt = app.Time.GetUtcNow(), Error = "boom" })], "p");
        });

        var requeue = () => app.Operations.RequeueMatchingAsync(new EventFilter { Status = EventStatus.DeadLetter }, Operator, "SMTP fixed");

        await requeue.Should().ThrowAsync<InvalidOperationException>();
        (await app.Operations.GetEventsAsync(new EventFilter { Status = EventStatus.Pending })).Events.Should().HaveCount(2, "the first batch of two was requeued");
        logs.WithId(1028).Should().ContainSingle().Which.Message.Should().Be("Operator ana@ops requeued 2 events");
    }

    private sealed class FailingRequeueStore(IEventStore inner) : ForwardingEventStore(inner)
    {
        private int _calls;

        public override ValueTask<EventBatchResult> RequeueAsync(Guid? eventId, EventFilter filter, EventPosition? after, int batchSize, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == 2
                ? throw new InvalidOperationException("The database went away.")
                : base.RequeueAsync(eventId, filter, after, batchSize, actor, reason, now, cancellationToken);
    }

    private sealed class FailingPurgeStore(IEventStore inner) : ForwardingEventStore(inner)
    {
        private int _calls;

        public override ValueTask<int> PurgeAsync(EventFilter filter, EventPosition through, int batchSize, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == 2
                ? throw new InvalidOperationException("The database went away.")
                : base.PurgeAsync(filter, through, batchSize, cancellationToken);
    }
}
