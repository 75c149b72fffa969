using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// Stopping: nothing new is claimed or started, unstarted and late-claimed events are released without counting an
/// attempt, running handlers get the grace period, and known outcomes are written before the run ends.
/// </summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stop_ReleasesUnstartedEvents_LetsTheRunningOneFinish_AndWritesEveryKnownOutcome()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.MaxConcurrency = 1;
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
        });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("running", _ => gate.Task);
        var running = await host.PublishStepAsync("running");
        var waiting = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            waiting.Add(await host.PublishStepAsync($"waiting{i}"));
        }

        host.Start();
        await host.WaitUntilAsync(() => host.Script.RunsOf("running") == 1, "the first event runs");

        var stop = host.StopAsync();
        gate.SetResult();
        await stop;

        (await host.GetAsync(running)).Event.Status.Should().Be(EventStatus.Completed, "it finished within the grace period and its outcome was written");
        foreach (var id in waiting)
        {
            var record = (await host.GetAsync(id)).Event;
            record.Status.Should().Be(EventStatus.Pending);
            record.Attempts.Should().Be(0, "a released event did not use an attempt");
            record.LockedBy.Should().BeNull();
        }

        host.Script.Runs.Should().ContainSingle();
    }

    [Fact]
    public async Task EventsClaimedWhileStopping_AreReleasedWithoutCountingAnAttempt()
    {
        await using var host = PipelineHost.Create();
        var claimHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claimEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await host.PublishStepAsync("late");
        host.Store.BeforeClaim = () =>
        {
            claimEntered.TrySetResult();
            return claimHeld.Task;
        };
        host.Start();
        await claimEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stop = host.StopAsync();
        claimHeld.SetResult();
        await stop;

        var record = (await host.GetAsync(id)).Event;
        record.Status.Should().Be(EventStatus.Pending);
        record.Attempts.Should().Be(0);
        host.Script.Runs.Should().BeEmpty("nothing starts once stopping began");
    }

    [Fact]
    public async Task HandlerIgnoringTheShutdownCancellation_IsNotReleased_WhenTheHostStopsWaiting()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
        });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("stubborn", _ => release.Task);
        var id = await host.PublishStepAsync("stubborn");
        await host.PublishStepAsync("done");
        host.Start();
        await host.WaitUntilAsync(() => host.Script.RunsOf("stubborn") == 1 && host.RecordedCount(EventStatus.Completed) == 1, "one runs, one is done");

        host.Time.Advance(TimeSpan.FromSeconds(5));
        await host.StopAsync(hostWaitsNoLonger: true);

        // Still running: releasing it would let a second run start elsewhere while this one goes on.
        (await host.GetAsync(id)).Event.Status.Should().Be(EventStatus.Processing);
        host.Logs.WithId(1026).Should().ContainSingle().Which.Message.Should().Contain(nameof(StepHandler));
        release.SetResult();
    }

    [Fact]
    public async Task HandlerHonouringItsCancellation_AtTheHostsHardStop_IsReleasedWithoutCountingTheAttempt()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromMinutes(1);
            o.MaxAttempts = 1;
        });
        var token = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("polite", async run =>
        {
            token.TrySetResult(run.Token);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, run.Token);
            }
            finally
            {
                returned.TrySetResult();
            }
        });
        var id = await host.PublishStepAsync("polite");
        host.Start();
        await token.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await host.StopAsync(hostWaitsNoLonger: true);
        await returned.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var record = (await host.GetAsync(id)).Event;
        record.Status.Should().Be(EventStatus.Pending, "it returned as soon as it was cancelled");
        record.UncountedAttempts.Should().Be(1);
    }

    [Fact]
    public async Task HardStop_WhileALeaseRenewalHangs_CancelsItAndStops()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromMinutes(1);
            o.LeaseDuration = TimeSpan.FromSeconds(30);
        });
        var renewing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var storeAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Store.BeforeRenew = async ct =>
        {
            renewing.TrySetResult();
            await storeAnswers.Task.WaitAsync(ct);
        };
        var (id, _) = await host.StartPoliteRunAsync();
        host.Time.Advance(TimeSpan.FromSeconds(10));
        await renewing.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The database does not answer the renewal (a network partition, a lock wait): the hard stop must not wait for it.
        await host.StopAsync(hostWaitsNoLonger: true);

        (await host.GetAsync(id)).Event.Status.Should().Be(EventStatus.Pending, "the handler returned when cancelled and its event was released");
        host.Logs.WithId(1005).Should().BeEmpty("a renewal the stop cancels did not fail");
        storeAnswers.SetResult();
    }

    [Fact]
    public async Task HardStop_StillRemovesTheHeartbeatRow_AndLogsTheStop()
    {
        await using var host = PipelineHost.Create(o => o.ShutdownTimeout = TimeSpan.FromMinutes(1));
        await host.StartPoliteRunAsync();
        (await host.Services.GetRequiredService<IEventOperations>().GetProcessorsAsync()).Should().ContainSingle();

        // The store fails calls made with a cancelled token, as a database does: the row must not be left to age out.
        await host.StopAsync(hostWaitsNoLonger: true);

        (await host.Services.GetRequiredService<IEventOperations>().GetProcessorsAsync()).Should().BeEmpty("the processor stopped within the hard stop's flush");
        host.Logs.WithId(1002).Should().ContainSingle();
    }
}
