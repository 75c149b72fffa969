using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// The hosted processor (in-memory store, frozen fake clock, PollingInterval of an hour), so anything that
/// completes did so because something woke the claim loop, not because a poll came.
/// </summary>
public sealed class HostedWakeUpTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(TestApp.Start);
    private HostedApp? _app;

    private HandlerProbe Probe => _app!.Probe;

    private ObservedStore Store => _app!.Store;

    private IEventOperations Operations => _app!.Operations;

    /// <summary>README: "When nothing is runnable it waits: … a requeue … wakes it at once".</summary>
    [Fact]
    public async Task Requeue_WakesTheIdleProcessorAtOnce()
    {
        await StartAsync(o => o.PollingInterval = TimeSpan.FromHours(1));
        Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("no"));
        var id = await PublishUserAsync();
        await WaitUntilAsync(async () => (await StatusAsync(id)) == EventStatus.DeadLetter);
        Probe.Heal(nameof(WelcomeEmailHandler));

        (await Operations.RequeueAsync(id, "ops", "fixed")).Should().BeTrue();

        await WaitUntilAsync(async () => (await StatusAsync(id)) == EventStatus.Completed);
        _time.GetUtcNow().Should().Be(TestApp.Start, "no time passed: the requeue woke the processor");
    }

    /// <summary>
    /// README (Skip): a dead letter "lets the later events of its entity go on"; "recording an ordered event's completion
    /// wakes the claim loop at once, so the next one does not wait for a poll". A dead letter ends the head as surely as a
    /// completion does.
    /// </summary>
    [Fact]
    public async Task OrderedDeadLetterUnderSkip_ReleasesTheNextEventWithoutWaitingForAPoll()
    {
        await StartAsync(o =>
        {
            o.PollingInterval = TimeSpan.FromHours(1);
            o.MaxAttempts = 1;
        }, handlers: b => b.AddHandler<AccountHandler>());
        Probe.FailTimes("acc/1", 1);

        var ids = await PublishAccountAsync("acc", 1, 2);

        await WaitUntilAsync(async () => (await StatusAsync(ids[1])) == EventStatus.Completed);
        (await StatusAsync(ids[0])).Should().Be(EventStatus.DeadLetter);
        _time.GetUtcNow().Should().Be(TestApp.Start, "no time passed: the dead letter released acc/2 at once");
    }

    /// <summary>README: "An operator's cancel of a pending or failed event, or a purge, releases its entity at once".</summary>
    [Theory]
    [InlineData("cancel")]
    [InlineData("purge")]
    public async Task OrderedFailedHead_CancelledOrPurged_ReleasesTheNextEventWithoutWaitingForAPoll(string action)
    {
        await StartAsync(o =>
        {
            o.PollingInterval = TimeSpan.FromHours(1);
            o.RetryBaseDelay = TimeSpan.FromMinutes(30);
            o.RetryMaxDelay = TimeSpan.FromMinutes(30);
        }, handlers: b => b.AddHandler<AccountHandler>());
        Probe.FailTimes("acc/1", 1);
        var ids = await PublishAccountAsync("acc", 1, 2);
        await WaitUntilAsync(async () => (await StatusAsync(ids[0])) == EventStatus.Failed);

        var changed = action == "cancel"
            ? await Operations.CancelAsync(ids[0], "ops", "superseded")
            : await Operations.PurgeAsync(new EventFilter { Status = EventStatus.Failed }, "ops", "obsolete") == 1;

        changed.Should().BeTrue();
        await WaitUntilAsync(async () => (await StatusAsync(ids[1])) == EventStatus.Completed);
        _time.GetUtcNow().Should().Be(TestApp.Start, $"no time passed: the {action} released acc/2 at once");
    }

    /// <summary>README (Wait): "requeue it (it runs first, the others follow once it completes)" — without a poll.</summary>
    [Fact]
    public async Task OrderedDeadLetterUnderWait_Requeued_RunsFirst_ThenTheOthersFollow_WithoutAPoll()
    {
        await StartAsync(o =>
        {
            o.PollingInterval = TimeSpan.FromHours(1);
            o.MaxAttempts = 1;
            o.OrderedDeadLetters = OrderedDeadLetterPolicy.Wait;
        }, handlers: b => b.AddHandler<AccountHandler>());
        Probe.FailTimes("acc/1", 1);
        var ids = await PublishAccountAsync("acc", 1, 2, 3);
        await WaitUntilAsync(async () => (await StatusAsync(ids[0])) == EventStatus.DeadLetter);
        (await StatusAsync(ids[1])).Should().Be(EventStatus.Pending);

        (await Operations.RequeueAsync(ids[0], "ops", "fixed")).Should().BeTrue();

        await WaitUntilAsync(async () => (await StatusAsync(ids[2])) == EventStatus.Completed);
        Probe.Calls.Select(c => ((AccountChanged)c.Payload).Seq).Should().Equal(1, 1, 2, 3);
        _time.GetUtcNow().Should().Be(TestApp.Start);
    }

    /// <summary>README: "a retry … that comes due wakes it at once".</summary>
    [Fact]
    public async Task RetryComingDue_WakesTheProcessor_NotTheHourlyPoll()
    {
        await StartAsync(o =>
        {
            o.PollingInterval = TimeSpan.FromHours(1);
            o.RetryBaseDelay = TimeSpan.FromSeconds(10);
        });
        Probe.FailTimes(nameof(WelcomeEmailHandler), 1);
        var id = await PublishUserAsync();
        await WaitUntilAsync(async () => (await StatusAsync(id)) == EventStatus.Failed);

        await WaitUntilAsync(async () =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return (await StatusAsync(id)) == EventStatus.Completed;
        });
        (_time.GetUtcNow() - TestApp.Start).Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// README: "a retry or delayed event that comes due wakes it at once". Two delayed events and one due now, announced
    /// together before the loop's first wait: each delayed one wakes the processor when it comes due, not the hourly poll
    /// (the signal once kept only the earliest time announced, so the commit due now made it forget both).
    /// </summary>
    [Fact]
    public async Task DelayedEvents_AnnouncedBesideOneDueNow_EachWakesTheProcessorWhenDue()
    {
        await StartAsync(o => o.PollingInterval = TimeSpan.FromHours(1), start: false);
        var first = await PublishUserAsync(TestApp.Start.AddSeconds(10));
        var second = await PublishUserAsync(TestApp.Start.AddSeconds(20));
        var now = await PublishUserAsync();
        await StartServicesAsync();
        await WaitUntilAsync(async () => (await StatusAsync(now)) == EventStatus.Completed);

        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(async () => (await StatusAsync(first)) == EventStatus.Completed);
        (await StatusAsync(second)).Should().Be(EventStatus.Pending);

        _time.Advance(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(async () => (await StatusAsync(second)) == EventStatus.Completed);
        _time.GetUtcNow().Should().Be(TestApp.Start.AddSeconds(20), "the clock moved only to the two due times");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<EventStatus> StatusAsync(Guid id) => (await Operations.GetEventAsync(id))!.Event.Status;

    private async Task StartAsync(Action<EventKitOptions> configure, Action<IEventKitBuilder>? handlers = null, bool start = true)
    {
        _app = HostedApp.Create(_time, configure, handlers: handlers);
        if (start)
        {
            await StartServicesAsync();
        }
    }

    private Task StartServicesAsync() => _app!.StartAsync();

    private Task<Guid> PublishUserAsync(DateTimeOffset? availableAt = null) =>
        _app!.PublishUserAsync(availableAt is null ? null : new PublishOptions { AvailableAt = availableAt });

    private async Task<Guid[]> PublishAccountAsync(string account, params int[] seqs)
    {
        await using var scope = _app!.Services.CreateAsyncScope();
        return [.. await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishManyAsync(seqs.Select(s => new AccountChanged(account, s)))];
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => HostedApp.WaitUntilAsync(condition);
}
