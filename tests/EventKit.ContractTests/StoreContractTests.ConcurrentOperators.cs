using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>Operators acting at once (two instances, two dashboards): each event changed once, each change counted once.</summary>
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public async Task Requeue_TwoOperatorsAtOnce_EachDeadLetterRequeuedOnce_AndCountedOnce()
    {
        await using var app = CreateApp(o => o.CleanupBatchSize = 3);
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("down"));
        var dead = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            dead.Add(await app.PublishAsync(NewUser($"U{i}")));
        }

        await app.DrainAsync();
        (await app.Operations.GetMetricsAsync()).DeadLetters.Should().Be(20);

        // One by one, the same dead letter from two operators at once: one of them requeues it.
        var single = await Task.WhenAll(
            Task.Run(() => app.Operations.RequeueAsync(dead[0], "ana@ops", "fixed")),
            Task.Run(() => app.Operations.RequeueAsync(dead[0], "bob@ops", "fixed")));
        single.Count(r => r).Should().Be(1);

        // In bulk, from two operators at once: the counts add up to the dead letters there were.
        var bulk = await Task.WhenAll(
            Task.Run(() => app.Operations.RequeueMatchingAsync(new EventFilter { Status = EventStatus.DeadLetter }, "ana@ops", "fixed")),
            Task.Run(() => app.Operations.RequeueMatchingAsync(new EventFilter { Status = EventStatus.DeadLetter }, "bob@ops", "fixed")));
        bulk.Sum().Should().Be(19);

        foreach (var id in dead)
        {
            (await app.GetAsync(id)).Status.Should().Be(EventStatus.Pending);
            (await app.GetLogAsync(id)).Should().ContainSingle(l => l.Kind == EventLogKind.Requeue);
        }

        (await app.Operations.GetMetricsAsync()).Should().BeEquivalentTo(new { DeadLetters = 0L, Pending = 20L });
    }

    [SkippableFact]
    public async Task Purge_RacingRetention_EachEventDeletedOnce_AndCountedOnce()
    {
        await using var app = CreateApp(o =>
        {
            o.CleanupBatchSize = 4;
            o.Retention = TimeSpan.FromMinutes(1);
        });
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await app.PublishAsync(p => p.PublishAsync("test.event", "test", $"{i}", new { data = "x" })));
        }

        await app.DrainAsync();
        var kept = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "pending", new { data = "x" }, new PublishOptions { AvailableAt = app.Time.GetUtcNow().AddDays(1) }));
        app.Time.Advance(TimeSpan.FromMinutes(2));

        var purge = Task.Run(() => app.Operations.PurgeAsync(new EventFilter { Type = "test.event", Status = EventStatus.Completed }, "ana@ops", "load-test data"));
        var retention = Task.Run(() => app.Operations.RunRetentionAsync());
        await Task.WhenAll(purge, retention);

        (purge.Result + retention.Result.Completed).Should().Be(30);
        foreach (var id in ids)
        {
            (await app.Operations.GetEventAsync(id)).Should().BeNull();
        }

        (await app.GetAsync(kept)).Status.Should().Be(EventStatus.Pending, "a delayed event is neither completed nor old");
        (await app.Operations.GetMetricsAsync()).Should().BeEquivalentTo(new { Completed = 0L, Pending = 1L });
    }
}
