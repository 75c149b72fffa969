using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>README promises on replay, retries, delayed events and operator actions at their edges, on every store.</summary>
public abstract partial class StoreContractTests
{
    /// <summary>
    /// README: replay makes the replayed handler run again; requeue gives "a fresh MaxAttempts budget". An event
    /// that completed on its last allowed attempt must still run its replayed handler, and a failure of that run is a
    /// retry, not an instant dead letter.
    /// </summary>
    [SkippableFact]
    public async Task Replay_OfAnEventThatCompletedOnItsLastAttempt_RunsTheHandler_AndRetriesAFailure()
    {
        await using var app = CreateApp(o => o.MaxAttempts = 2);
        app.Probe.FailTimes(nameof(WelcomeEmailHandler), 1);
        var id = await app.PublishAsync(NewUser());
        await app.DrainAsync();
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.DrainAsync();
        (await app.GetAsync(id)).Should().BeEquivalentTo(new { Status = EventStatus.Completed, Attempts = 2 });

        app.Probe.FailTimes(nameof(WelcomeEmailHandler), 1);
        (await app.Operations.ReplayAsync(id, nameof(WelcomeEmailHandler), Operator, "template fixed")).Should().BeTrue();
        await app.DrainAsync();

        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(3, "the replayed handler runs again");
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Failed, "a replay has a fresh budget: its first failure is retried");
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.DrainAsync();
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
    }

    /// <summary>README: RetryBaseDelay 0 is allowed (so RetryMaxDelay 0 too); a retry due now runs at once.</summary>
    [SkippableFact]
    public async Task ZeroRetryDelays_AreValid_AndRetryAtOnce_UntilDeadLettered()
    {
        await using var app = CreateApp(o =>
        {
            o.RetryBaseDelay = TimeSpan.Zero;
            o.RetryMaxDelay = TimeSpan.Zero;
            o.MaxAttempts = 3;
        });
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var id = await app.PublishAsync(NewUser());

        for (var i = 0; i < 3 && (await app.GetAsync(id)).Status != EventStatus.DeadLetter; i++)
        {
            await app.DrainAsync();
        }

        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.DeadLetter);
        record.Attempts.Should().Be(3);
        app.Time.GetUtcNow().Should().Be(TestApp.Start, "no time had to pass");
    }

    /// <summary>
    /// README: a delayed event is stored at once as pending and never handled before AvailableAt; "a time in the
    /// past, or none, means at once". The far end of time must be storable on every store and must not disturb others.
    /// </summary>
    [SkippableFact]
    public async Task DelayedUntilDateTimeOffsetMaxValue_IsStoredPending_OthersRun_AndItCanBeCancelled()
    {
        await using var app = CreateApp();
        var never = await app.PublishAsync(NewUser("Never"), new PublishOptions { AvailableAt = DateTimeOffset.MaxValue });
        var now = await app.PublishAsync(NewUser("Now"), new PublishOptions { AvailableAt = DateTimeOffset.MinValue });

        await app.DrainAsync();
        app.Time.Advance(TimeSpan.FromDays(3650));
        await app.DrainAsync();

        app.Probe.Calls.Select(c => c.EventId).Should().Equal(now);
        var stored = await app.GetAsync(never);
        stored.Status.Should().Be(EventStatus.Pending);
        stored.AvailableAt.Should().BeAfter(TestApp.Start.AddYears(7000));
        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(1, "metrics count a delayed event as pending");
        (await app.Operations.GetOldestPendingAgeAsync()).Should().BeNull("a delayed event is not runnable");
        (await app.Operations.CancelAsync(never, Operator, "never mind")).Should().BeTrue();
        (await app.GetAsync(never)).Status.Should().Be(EventStatus.Cancelled);
    }

    /// <summary>README: an event in a status the action does not apply to gives false (or 0), and changes nothing.</summary>
    [SkippableFact]
    public async Task Actions_OnStatusesTheyDoNotApplyTo_GiveFalse_AndChangeNothing()
    {
        await using var app = CreateApp(o => o.MaxAttempts = 1);
        var pending = await app.PublishAsync(NewUser("P"), new PublishOptions { AvailableAt = TestApp.Start.AddHours(1) });
        var completed = await app.PublishAsync(NewUser("C"));
        await app.DrainAsync();
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var dead = await app.PublishAsync(NewUser("D"));
        await app.DrainAsync();
        var cancelled = await app.PublishAsync(NewUser("X"), new PublishOptions { AvailableAt = TestApp.Start.AddHours(1) });
        (await app.Operations.CancelAsync(cancelled, Operator, "x")).Should().BeTrue();
        (await app.GetAsync(dead)).Status.Should().Be(EventStatus.DeadLetter);

        (await app.Operations.RequeueAsync(pending, Operator, "r")).Should().BeFalse();
        (await app.Operations.RequeueAsync(completed, Operator, "r")).Should().BeFalse();
        (await app.Operations.RequeueAsync(cancelled, Operator, "r")).Should().BeFalse();
        (await app.Operations.RequeueAsync(default, Operator, "r")).Should().BeFalse();
        (await app.Operations.CancelAsync(dead, Operator, "c")).Should().BeFalse();
        (await app.Operations.CancelAsync(completed, Operator, "c")).Should().BeFalse();
        (await app.Operations.CancelAsync(cancelled, Operator, "c")).Should().BeFalse();
        (await app.Operations.CancelAsync(default, Operator, "c")).Should().BeFalse();
        (await app.Operations.ReplayAsync(dead, null, Operator, "p")).Should().BeFalse();
        (await app.Operations.ReplayAsync(cancelled, null, Operator, "p")).Should().BeFalse();
        (await app.Operations.ReplayAsync(default, null, Operator, "p")).Should().BeFalse();

        (await app.GetAsync(pending)).Status.Should().Be(EventStatus.Pending);
        (await app.GetAsync(completed)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(dead)).Status.Should().Be(EventStatus.DeadLetter);
        (await app.GetAsync(cancelled)).Status.Should().Be(EventStatus.Cancelled);
        foreach (var id in new[] { pending, completed, dead, cancelled })
        {
            (await app.GetLogAsync(id)).Where(l => l.Kind != EventLogKind.HandlerRun && l.Kind != EventLogKind.Cancel).Should().BeEmpty("a refused action writes no operator entry");
        }
    }

    /// <summary>
    /// README: a handler's own MaxAttempts replaces EventKitOptions.MaxAttempts. A handler allowed more attempts
    /// than the default keeps being retried past the default, and its event completes when it finally succeeds.
    /// </summary>
    [SkippableFact]
    public async Task HandlerMaxAttemptsAboveTheDefault_IsRetriedPastTheDefault()
    {
        await using var app = CreateApp(
            o => o.MaxAttempts = 2,
            b => b.AddHandler<WelcomeEmailHandler>(o => o.MaxAttempts = 5).AddHandler<WelcomeNotificationHandler>());
        app.Probe.FailTimes(nameof(WelcomeEmailHandler), 3);
        var id = await app.PublishAsync(NewUser());

        for (var i = 0; i < 5; i++)
        {
            await app.DrainAsync();
            app.Time.Advance(TimeSpan.FromMinutes(15));
        }

        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.Completed);
        record.Attempts.Should().Be(4);
        app.Probe.CountCalls(nameof(WelcomeNotificationHandler)).Should().Be(1, "a handler that succeeded is not run again");
    }
}
