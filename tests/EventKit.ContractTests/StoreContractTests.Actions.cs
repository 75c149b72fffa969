using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>The audited admin actions (#14 item 3) on every store: each recorded as an operator entry, attempts continuing.</summary>
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public async Task Requeue_AFailedEvent_RecordsTheOperator_AndAttemptsContinue()
    {
        await using var app = CreateApp();
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var id = await app.PublishAsync(NewUser());
        await app.DrainAsync();
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Failed);
        app.Probe.Heal(nameof(WelcomeEmailHandler));
        app.Time.Advance(TimeSpan.FromSeconds(1));

        (await app.Operations.RequeueAsync(id, Operator, "mail server fixed")).Should().BeTrue();

        var requeued = await app.GetAsync(id);
        requeued.Status.Should().Be(EventStatus.Pending);
        requeued.AvailableAt.Should().Be(app.Time.GetUtcNow(), "runnable at once, not at its retry time");
        requeued.Attempts.Should().Be(1);
        requeued.UncountedAttempts.Should().Be(1, "a requeue gives a fresh budget");
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await app.DrainAsync();
        var log = await app.GetLogAsync(id);
        log.Select(l => (l.Kind, l.Attempt, l.Result)).Should().Equal(
            (EventLogKind.HandlerRun, 1, EventLogResult.Failure),
            (EventLogKind.Requeue, 1, EventLogResult.Success),
            (EventLogKind.HandlerRun, 2, EventLogResult.Success));
        log[1].Should().BeEquivalentTo(new { Handler = EventLogEntry.AllHandlers, Actor = Operator, Reason = "mail server fixed", Duration = TimeSpan.Zero, CreatedAt = TestApp.Start.AddSeconds(1) });
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        (await app.Operations.RequeueAsync(id, Operator, "again")).Should().BeFalse("a completed event is not requeued");
    }

    [SkippableFact]
    public async Task Requeue_ADeadLetter_GivesAFreshBudget_WhileTheLogNeverRepeatsAnAttempt()
    {
        await using var app = CreateApp(o => o.MaxAttempts = 2);
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var id = await app.PublishAsync(NewUser());
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 2; i++)
            {
                await app.DrainAsync();
                app.Time.Advance(TimeSpan.FromMinutes(10));
            }

            (await app.GetAsync(id)).Status.Should().Be(EventStatus.DeadLetter);
            if (round == 0)
            {
                (await app.Operations.RequeueAsync(id, Operator, "try again")).Should().BeTrue();
            }
        }

        var runs = (await app.GetLogAsync(id)).Where(l => l.Kind == EventLogKind.HandlerRun).Select(l => l.Attempt);
        runs.Should().Equal(1, 2, 3, 4);
        (await app.GetAsync(id)).LastError.Should().Contain("2 attempts", "the budget counts attempts since the requeue");
    }

    [SkippableFact]
    public async Task RequeueMatching_RequeuesFailedAndDeadLetters_InBatches_AndIsIdempotent()
    {
        await using var app = CreateApp(o => o.CleanupBatchSize = 3);
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("down"));
        var dead = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            dead.Add(await app.PublishAsync(NewUser($"U{i}")));
        }

        var other = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "1", new { data = 1 })); // dead: bad payload
        await app.DrainAsync();
        app.Probe.Heal(nameof(WelcomeEmailHandler));

        (await app.Operations.RequeueMatchingAsync(new EventFilter { Type = "user.created" }, Operator, "fixed")).Should().Be(7);
        (await app.Operations.RequeueMatchingAsync(new EventFilter { Type = "user.created" }, Operator, "fixed")).Should().Be(0, "a retried bulk requeue finds nothing left");

        foreach (var id in dead)
        {
            (await app.GetAsync(id)).Status.Should().Be(EventStatus.Pending);
            (await app.GetLogAsync(id)).Should().ContainSingle(l => l.Kind == EventLogKind.Requeue);
        }

        (await app.GetAsync(other)).Status.Should().Be(EventStatus.DeadLetter);
        var completed = () => app.Operations.RequeueMatchingAsync(new EventFilter { Status = EventStatus.Completed }, Operator, "x");
        (await completed.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("filter");
        var blank = () => app.Operations.RequeueMatchingAsync(new EventFilter(), " ", "x");
        (await blank.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("actor");
        var noReason = () => app.Operations.RequeueAsync(other, Operator, "");
        (await noReason.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("reason");
        (await app.GetAsync(other)).Status.Should().Be(EventStatus.DeadLetter, "bad arguments change nothing");
    }

    [SkippableFact]
    public async Task Requeue_RacingAProcessor_NeverTouchesALeasedEvent()
    {
        await using var app = CreateApp();
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var ids = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await app.PublishAsync(NewUser($"U{i}")));
        }

        await app.DrainAsync();
        app.Time.Advance(TimeSpan.FromMinutes(10)); // every failed event is due again

        var claims = Task.Run(async () =>
        {
            var claimed = new List<Guid>();
            for (var i = 0; i < 40; i++)
            {
                claimed.AddRange((await app.WithStoreAsync(s => s.ClaimAsync("racer", 1, NoBudget, app.Time.GetUtcNow(), Lease))).Select(c => c.Event.Id));
            }

            return claimed;
        });
        var requeued = await app.Operations.RequeueMatchingAsync(new EventFilter { Status = EventStatus.Failed }, Operator, "race");
        var claimed = await claims;

        claimed.Should().OnlyHaveUniqueItems("no event is leased twice");
        var withEntry = 0;
        foreach (var id in ids)
        {
            var record = await app.GetAsync(id);
            var entries = (await app.GetLogAsync(id)).Count(l => l.Kind == EventLogKind.Requeue);
            entries.Should().BeLessThanOrEqualTo(1);
            withEntry += entries;
            if (record.Status == EventStatus.Processing)
            {
                record.LockedBy.Should().Be("racer", "a leased event is changed only by its lease owner");
            }
            else
            {
                record.Status.Should().Be(EventStatus.Pending);
                entries.Should().Be(1, "only a requeue makes a failed event pending");
            }
        }

        requeued.Should().Be(withEntry, "every requeue the call counted is in the event's log, and no other");
    }

    [SkippableFact]
    public async Task Replay_OneHandlerOfACompletedEvent_RunsOnlyIt_AllRunsEvery()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<WelcomeEmailHandler>().AddHandler<WelcomeNotificationHandler>());
        var id = await app.PublishAsync(NewUser());
        await app.DrainAsync();
        app.Time.Advance(TimeSpan.FromSeconds(1));

        (await app.Operations.ReplayAsync(id, nameof(WelcomeNotificationHandler), Operator, "bug fixed")).Should().BeTrue();
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Pending);
        await app.DrainAsync();
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(1);
        app.Probe.CountCalls(nameof(WelcomeNotificationHandler)).Should().Be(2);

        app.Time.Advance(TimeSpan.FromSeconds(1));
        (await app.Operations.ReplayAsync(id, null, Operator, "all again")).Should().BeTrue();
        await app.DrainAsync();
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(2);
        app.Probe.CountCalls(nameof(WelcomeNotificationHandler)).Should().Be(3);

        var log = await app.GetLogAsync(id);
        log.Where(l => l.Kind == EventLogKind.Replay).Select(l => (l.Handler, l.Attempt)).Should().Equal((nameof(WelcomeNotificationHandler), 1), (EventLogEntry.AllHandlers, 2));
        log.Where(l => l.Kind == EventLogKind.HandlerRun).GroupBy(l => (l.Handler, l.Attempt)).Should().OnlyContain(g => g.Count() == 1, "no handler shows one attempt twice");
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);

        var unknown = () => app.Operations.ReplayAsync(id, "NoSuchHandler", Operator, "x");
        (await unknown.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(nameof(WelcomeEmailHandler));
        var pending = await app.PublishAsync(NewUser("P"));
        (await app.Operations.ReplayAsync(pending, null, Operator, "x")).Should().BeFalse("only completed events are replayed");
        (await app.Operations.ReplayAsync(Guid.NewGuid(), null, Operator, "x")).Should().BeFalse();
    }

    [SkippableFact]
    public async Task Cancel_APendingOrDelayedEvent_ItIsNeverHandled_AndRetentionRemovesIt()
    {
        await using var app = CreateApp(o => o.Retention = TimeSpan.FromDays(1));
        var delayed = await app.PublishAsync(NewUser("D"), new PublishOptions { AvailableAt = TestApp.Start.AddHours(1) });
        var done = await app.PublishAsync(NewUser("C"));
        await app.DrainAsync();

        (await app.Operations.CancelAsync(delayed, Operator, "customer withdrew")).Should().BeTrue();
        (await app.Operations.CancelAsync(delayed, Operator, "again")).Should().BeFalse();
        (await app.Operations.CancelAsync(done, Operator, "too late")).Should().BeFalse("a completed event cannot be cancelled");
        app.Time.Advance(TimeSpan.FromHours(2));
        await app.DrainAsync();

        var cancelled = await app.GetAsync(delayed);
        cancelled.Status.Should().Be(EventStatus.Cancelled);
        cancelled.ProcessedAt.Should().Be(TestApp.Start);
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(1);
        (await app.GetLogAsync(delayed)).Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = EventLogKind.Cancel, Actor = Operator, Reason = "customer withdrew", Attempt = 0 });
        (await app.Operations.GetMetricsAsync()).Should().BeEquivalentTo(new { Pending = 0, Completed = 1, DeadLetters = 0, Cancelled = 1 }, "cancelled events are counted apart");

        app.Time.Advance(TimeSpan.FromDays(1));
        (await app.Operations.RunRetentionAsync()).Should().BeEquivalentTo(new RetentionResult { Completed = 1, Cancelled = 1 });
        (await app.Operations.GetEventAsync(delayed)).Should().BeNull();
    }

    [SkippableFact]
    public async Task Purge_DeletesMatchingEventsInBatches_ButNeverALeasedOne()
    {
        await using var app = CreateApp(o => o.CleanupBatchSize = 2);
        var purged = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            purged.Add(await app.PublishAsync(p => p.PublishAsync("test.event", "test", $"{i}", new { data = "x" })));
        }

        var kept = await app.PublishAsync(NewUser());
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var leased = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "leased", new { data = "x" }));
        (await app.WithStoreAsync(s => s.ClaimAsync("other", 10, NoBudget, app.Time.GetUtcNow(), Lease))).Should().HaveCount(7);

        // Everything is leased now: nothing goes. Released by settling, the five test events can be purged.
        (await app.Operations.PurgeAsync(new EventFilter { Type = "test.event" }, Operator, "test data")).Should().Be(0);
        await app.WithStoreAsync(s => s.SettleAsync([.. purged.Append(kept).Select(id => new EventOutcome { EventId = id, Status = EventStatus.Pending, AvailableAt = app.Time.GetUtcNow() })], "other"));

        (await app.Operations.PurgeAsync(new EventFilter { Type = "test.event" }, Operator, "test data")).Should().Be(5);
        foreach (var id in purged)
        {
            (await app.Operations.GetEventAsync(id)).Should().BeNull();
        }

        (await app.GetAsync(leased)).Status.Should().Be(EventStatus.Processing);
        (await app.GetAsync(kept)).Status.Should().Be(EventStatus.Pending);
        var everything = () => app.Operations.PurgeAsync(new EventFilter(), Operator, "oops");
        (await everything.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("filter");
    }

    [SkippableFact]
    public async Task Pause_IsHonouredByEveryProcessorOnTheStore_UntilResumed()
    {
        await using var app = CreateApp();
        (await app.Operations.PauseAsync("user.created", Operator, "mail provider down")).Should().BeTrue();
        (await app.Operations.PauseAsync("user.created", "bob", "again")).Should().BeFalse("an existing pause is kept as it was");
        var user = await app.PublishAsync(NewUser());
        var test = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "1", new { data = "x" }));

        await app.DrainAsync();
        await app.DrainAsync(app.CreateProcessor("another-instance"));

        (await app.GetAsync(test)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(user)).Status.Should().Be(EventStatus.Pending, "a paused type's events stay pending");
        (await app.Operations.GetPausesAsync()).Should().ContainSingle().Which.Should().BeEquivalentTo(
            new EventTypePause { Type = "user.created", Actor = Operator, Reason = "mail provider down", PausedAt = TestApp.Start });

        (await app.Operations.ResumeAsync("user.created", Operator)).Should().BeTrue();
        (await app.Operations.ResumeAsync("user.created", Operator)).Should().BeFalse();
        await app.DrainAsync(app.CreateProcessor("another-instance"));
        (await app.GetAsync(user)).Status.Should().Be(EventStatus.Completed);
        (await app.Operations.GetPausesAsync()).Should().BeEmpty();
        var invalid = () => app.Operations.PauseAsync("Not A Type", Operator, "x");
        (await invalid.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("type");
    }
}
