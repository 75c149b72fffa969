using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>The store's actions and queries honour a token cancelled before the call: they throw and change nothing.</summary>
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public async Task StoreBulkActions_TokenAlreadyCancelled_Throw_AndChangeNothing()
    {
        await using var app = CreateApp();
        app.Probe.FailWith(nameof(TestEventHandler), () => new NonRetryableEventException("down"));
        var dead = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "dead", new { data = "x" }));
        var completed = await app.PublishAsync(NewUser());
        await app.DrainAsync();
        app.Time.Advance(TimeSpan.FromDays(1));
        var now = app.Time.GetUtcNow();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var purge = () => app.WithStoreAsync(s => s.PurgeAsync(new EventFilter { Type = "test.event" }, new EventPosition(now, Guid.Empty), 10, cancelled.Token));
        var requeue = () => app.WithStoreAsync(s => s.RequeueAsync(null, new EventFilter { Status = EventStatus.DeadLetter }, null, 10, Operator, "SMTP fixed", now, cancelled.Token));
        var retention = () => app.WithStoreAsync(s => s.DeleteProcessedAsync(EventStatus.Completed, now, 10, cancelled.Token));

        await purge.Should().ThrowAsync<OperationCanceledException>();
        await requeue.Should().ThrowAsync<OperationCanceledException>();
        await retention.Should().ThrowAsync<OperationCanceledException>();
        (await app.GetAsync(dead)).Status.Should().Be(EventStatus.DeadLetter, "neither purged nor requeued");
        (await app.GetLogAsync(dead)).Should().NotContain(l => l.Kind == EventLogKind.Requeue);
        (await app.GetAsync(completed)).Status.Should().Be(EventStatus.Completed, "not deleted by the cleanup");
    }

    [SkippableFact]
    public async Task StoreSingleActionsAndQueries_TokenAlreadyCancelled_Throw_AndChangeNothing()
    {
        await using var app = CreateApp();
        var completed = await app.PublishAsync(NewUser());
        await app.DrainAsync();
        var pending = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "pending", new { data = "x" }, new PublishOptions { AvailableAt = app.Time.GetUtcNow().AddHours(1) }));
        await app.WithStoreAsync(s => s.PauseAsync(new EventTypePause { Type = "paused.type", Actor = Operator, Reason = "kept", PausedAt = app.Time.GetUtcNow() }));
        var now = app.Time.GetUtcNow();
        var since = now.AddDays(-1);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var token = cancelled.Token;

        var calls = new (string Name, Func<Task> Call)[]
        {
            ("ReplayAsync", () => app.WithStoreAsync(s => s.ReplayAsync(completed, nameof(TestEventHandler), Operator, "again", now, token))),
            ("CancelAsync", () => app.WithStoreAsync(s => s.CancelAsync(pending, Operator, "not wanted", now, token))),
            ("PauseAsync", () => app.WithStoreAsync(s => s.PauseAsync(new EventTypePause { Type = "test.event", Actor = Operator, Reason = "hold", PausedAt = now }, token))),
            ("ResumeAsync", () => app.WithStoreAsync(s => s.ResumeAsync("paused.type", token))),
            ("GetPausesAsync", () => app.WithStoreAsync(s => s.GetPausesAsync(token))),
            ("GetMetricsAsync", () => app.WithStoreAsync(s => s.GetMetricsAsync(token))),
            ("GetBacklogAsync", () => app.WithStoreAsync(s => s.GetBacklogAsync(now, token))),
            ("GetCountsByTypeAsync", () => app.WithStoreAsync(s => s.GetCountsByTypeAsync(since, now, token))),
            ("GetDeadLettersAsync", () => app.WithStoreAsync(s => s.GetDeadLettersAsync(null, 10, token))),
            ("GetEventAsync", () => app.WithStoreAsync(s => s.GetEventAsync(completed, token))),
            ("GetEventsAsync", () => app.WithStoreAsync(s => s.GetEventsAsync(new EventFilter(), EventOrder.NewestFirst, null, 10, token))),
            ("GetTimelineAsync", () => app.WithStoreAsync(s => s.GetTimelineAsync(since, now, EventTimelineInterval.Hour, token))),
            ("GetTypeStatisticsAsync", () => app.WithStoreAsync(s => s.GetTypeStatisticsAsync(since, now, token))),
            ("GetHandlerStatisticsAsync", () => app.WithStoreAsync(s => s.GetHandlerStatisticsAsync(since, now, token))),
        };

        foreach (var (name, call) in calls)
        {
            await call.Should().ThrowAsync<OperationCanceledException>($"{name} was called with a cancelled token");
        }

        (await app.GetAsync(completed)).Status.Should().Be(EventStatus.Completed, "not replayed");
        (await app.GetLogAsync(completed)).Should().NotContain(l => l.Kind == EventLogKind.Replay);
        (await app.GetAsync(pending)).Status.Should().Be(EventStatus.Pending, "not cancelled");
        (await app.WithStoreAsync(s => s.GetPausesAsync())).Select(p => p.Type).Should().Equal("paused.type");
    }
}
