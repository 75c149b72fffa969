using EventKit.ContractTests;
using EventKit.Internal;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.Tests;

/// <summary>The hosted processor and cleanup loops, driven by a fake clock.</summary>
public sealed class HostedServicesTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(TestApp.Start);
    private HostedApp? _app;

    private HandlerProbe Probe => _app!.Probe;

    private ObservedStore Store => _app!.Store;

    private IEventOperations Operations => _app!.Operations;

    [Fact]
    public async Task Publish_WakesTheIdleProcessorAtOnce_WithoutWaitingForAPoll()
    {
        await StartAsync(o => o.PollingInterval = TimeSpan.FromHours(1));
        await Store.EmptyClaim.Task.WaitAsync(Wait); // the processor is idle, waiting up to an hour of (frozen) time

        var id = await PublishAsync();
        await WaitUntilAsync(async () => (await Operations.GetEventAsync(id))!.Event.Status == EventStatus.Completed);

        _time.GetUtcNow().Should().Be(TestApp.Start, "no time passed, so no poll happened");
        _app!.Services.GetRequiredService<ProcessorHeartbeat>().LastCycleAt.Should().Be(TestApp.Start, "the loop reports its cycles to the health check");
    }

    [Fact]
    public async Task OrderedEventsOfOneEntity_EachCompletionWakesTheLoopForTheNext_WithoutWaitingForAPoll()
    {
        await StartAsync(o => o.PollingInterval = TimeSpan.FromHours(1), handlers: b => b.AddHandler<AccountHandler>());
        await Store.EmptyClaim.Task.WaitAsync(Wait);

        await using (var scope = _app!.Services.CreateAsyncScope())
        {
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            for (var i = 0; i < 5; i++)
            {
                await publisher.PublishAsync(new AccountChanged("acc-1", i));
            }
        }

        await WaitUntilAsync(async () => (await Operations.GetMetricsAsync()).Completed == 5);
        _time.GetUtcNow().Should().Be(TestApp.Start, "no time passed, so no poll happened: each completion released the next event");
        Probe.Calls.Select(c => ((AccountChanged)c.Payload).Seq).Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public async Task WithoutSignal_EventIsFoundByPolling()
    {
        await StartAsync(o => o.PollingInterval = TimeSpan.FromSeconds(5), signalling: false);
        await Store.EmptyClaim.Task.WaitAsync(Wait);

        var id = await PublishAsync();
        Probe.Calls.Should().BeEmpty("nothing wakes the processor before the polling interval");

        await WaitUntilAsync(async () =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return (await Operations.GetEventAsync(id))!.Event.Status == EventStatus.Completed;
        });
        (_time.GetUtcNow() - TestApp.Start).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DelayedEvent_WakesTheProcessorWhenDue()
    {
        await StartAsync(o => o.PollingInterval = TimeSpan.FromHours(1));
        await Store.EmptyClaim.Task.WaitAsync(Wait);

        var id = await PublishAsync(new PublishOptions { AvailableAt = TestApp.Start.AddMinutes(1) });

        await WaitUntilAsync(async () =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return (await Operations.GetEventAsync(id))!.Event.Status == EventStatus.Completed;
        });
        (_time.GetUtcNow() - TestApp.Start).Should().BeLessThan(TimeSpan.FromMinutes(2), "the processor woke at the due time, not at the next hourly poll");
    }

    [Fact]
    public async Task StoreFailure_IsLoggedAndRetried_TheLoopKeepsRunning()
    {
        await StartAsync(o => o.PollingInterval = TimeSpan.FromHours(1), configureStore: s => s.FailNextClaims(3));

        var id = await PublishAsync();
        await WaitUntilAsync(async () =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            return (await Operations.GetEventAsync(id))!.Event.Status == EventStatus.Completed;
        });

        Store.ClaimFailures.Should().Be(3);
        ((BackgroundService)_app!.HostedServices[0]).ExecuteTask!.IsCompleted.Should().BeFalse("a failing store never ends the loop");
    }

    [Fact]
    public async Task Stop_LetsTheRunningHandlerFinish()
    {
        await StartAsync(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        Probe.Gate = new TaskCompletionSource();
        var id = await PublishAsync();
        await Probe.Started.Task.WaitAsync(Wait);

        var stop = StopAsync();
        Probe.Gate.SetResult();
        await stop.WaitAsync(Wait);

        (await Operations.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.Completed);
    }

    [Fact]
    public async Task Stop_AfterShutdownTimeout_CancelsTheHandlerAndReleasesTheEvent()
    {
        await StartAsync(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
        });
        Probe.Gate = new TaskCompletionSource();
        var id = await PublishAsync();
        await Probe.Started.Task.WaitAsync(Wait);

        var stop = StopAsync();
        _time.Advance(TimeSpan.FromSeconds(5));
        await stop.WaitAsync(Wait);

        var record = (await Operations.GetEventAsync(id))!.Event;
        record.Status.Should().Be(EventStatus.Pending);
        record.Attempts.Should().Be(1, "an interrupted attempt keeps its number, which the log shows");
        record.UncountedAttempts.Should().Be(1, "an interrupted attempt is not counted");
        record.LockedBy.Should().BeNull();
    }

    [Fact]
    public async Task EnableProcessingFalse_PublishesButDoesNotProcess()
    {
        await StartAsync(o => o.EnableProcessing = false);

        var id = await PublishAsync();
        await Task.WhenAll(_app!.HostedServices.Select(s => ((BackgroundService)s).ExecuteTask!)).WaitAsync(Wait);

        (await Operations.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.Pending);
        Probe.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task Cleanup_RunsEveryCleanupInterval()
    {
        await StartAsync(o =>
        {
            o.Retention = TimeSpan.FromDays(1);
            o.CleanupInterval = TimeSpan.FromHours(1);
        });
        var id = await PublishAsync();
        await WaitUntilAsync(async () => (await Operations.GetEventAsync(id))!.Event.Status == EventStatus.Completed);

        _time.Advance(TimeSpan.FromDays(1));
        (await Operations.GetEventAsync(id)).Should().NotBeNull("retention counts from processing, and the next cleanup has not run");

        await WaitUntilAsync(async () =>
        {
            _time.Advance(TimeSpan.FromMinutes(10));
            return await Operations.GetEventAsync(id) is null;
        });
        (_time.GetUtcNow() - TestApp.Start).Should().BeLessThanOrEqualTo(TimeSpan.FromDays(1) + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(10));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task StartAsync(Action<EventKitOptions> configure, bool signalling = true, Action<ObservedStore>? configureStore = null, Action<IEventKitBuilder>? handlers = null)
    {
        _app = HostedApp.Create(_time, configure, signalling, configureStore, handlers);
        await _app.StartAsync();
    }

    private Task StopAsync() => _app!.StopAsync();

    private Task<Guid> PublishAsync(PublishOptions? options = null) => _app!.PublishUserAsync(options);

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => HostedApp.WaitUntilAsync(condition);
}
