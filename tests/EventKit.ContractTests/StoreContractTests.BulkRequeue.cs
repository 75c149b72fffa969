using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>A bulk requeue while a processor keeps failing what it requeues: each event is requeued once per call.</summary>
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public async Task RequeueMatching_ProcessorFailsThemAgainBetweenBatches_EachEventRequeuedOnce_AndCountedOnce()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var batches = 0;
        TestApp? made = null;
        await using var app = TestApp.Create(
            UseStore,
            o => o.CleanupBatchSize = 3,
            services: ConfigureServices,
            commit: CommitAsync,
            wrapStore: inner => new RefailingStore(inner, () => Interlocked.Increment(ref batches), () => made!.Time.GetUtcNow()));
        made = app;
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("down"));
        var dead = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            dead.Add(await app.PublishAsync(NewUser($"P{i}")));
        }

        await app.DrainAsync();
        batches = 0;

        var requeued = await app.Operations.RequeueMatchingAsync(new EventFilter { Type = "user.created" }, Operator, "SMTP fixed");

        var entries = new List<int>();
        foreach (var id in dead)
        {
            entries.Add((await app.GetLogAsync(id)).Count(l => l.Kind == EventLogKind.Requeue));
        }

        entries.Should().AllSatisfy(n => n.Should().Be(1), "one call requeues each matching event exactly once, however often a processor fails it again meanwhile");
        requeued.Should().Be(7);
        batches.Should().Be(3, "7 events in batches of 3: 3 + 3 + 1");
    }

    /// <summary>
    /// Plays a processor whose handler still fails, deterministically: right after each batch of a bulk requeue it claims
    /// what the batch made runnable and dead-letters it again.
    /// </summary>
    private sealed class RefailingStore(IEventStore inner, Action counted, Func<DateTimeOffset> now) : ForwardingEventStore(inner)
    {
        public override async ValueTask<EventBatchResult> RequeueAsync(Guid? eventId, EventFilter filter, EventPosition? after, int batchSize, string actor, string reason, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            var done = await Inner.RequeueAsync(eventId, filter, after, batchSize, actor, reason, at, cancellationToken);
            counted();
            var time = now();
            var claimed = await Inner.ClaimAsync("other-processor", 1000, int.MaxValue, time, TimeSpan.FromMinutes(5), cancellationToken: cancellationToken);
            await Inner.SettleAsync(
                [.. claimed.Select(c => new EventOutcome
                {
                    EventId = c.Event.Id,
                    Status = EventStatus.DeadLetter,
                    ProcessedAt = time,
                    Error = "still down",
                    Logs = [new EventLogEntry { Id = Guid.CreateVersion7(), EventId = c.Event.Id, Handler = nameof(WelcomeEmailHandler), Result = EventLogResult.Failure, Error = "still down", Attempt = c.Event.Attempts, Duration = TimeSpan.FromMilliseconds(1), CreatedAt = time }],
                })],
                "other-processor",
                cancellationToken);
            return done;
        }
    }
}
