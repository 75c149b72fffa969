using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// The handler timeout cancels the run's token and waits for the handler to return: the run is recorded then, its
/// lease is renewed meanwhile, and its scope outlives it. A handler never runs twice at once for one event.
/// </summary>
public sealed class CooperativeTimeoutTests
{
    [Fact]
    public async Task HandlerIgnoringCancellation_IsNeverRunTwiceAtOnce_KeepsItsLease_AndIsRecordedWhenItReturns()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.HandlerTimeout = TimeSpan.FromSeconds(5);
            o.LeaseDuration = TimeSpan.FromSeconds(30);
            o.RetryBaseDelay = TimeSpan.Zero;
            o.RetryMaxDelay = TimeSpan.Zero;
        });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancellation = false;
        host.Script.On("stubborn", async run =>
        {
            if (run.Context.Attempt > 1)
            {
                return;
            }

            await release.Task;   // ignores its token
            sawCancellation = run.Token.IsCancellationRequested;
            run.Token.ThrowIfCancellationRequested();
        });
        var id = await host.PublishStepAsync("stubborn");
        host.Start();
        await host.WaitUntilAsync(() => host.Script.RunsOf("stubborn") == 1, "the handler runs");

        // Far past the timeout and two lease durations: the lease is renewed, so no second run starts anywhere.
        await host.AdvanceUntilAsync(TimeSpan.FromSeconds(5), () => host.Time.GetUtcNow() >= TestApp.Start.AddMinutes(2), "two minutes pass");
        (await host.GetAsync(id)).Event.Status.Should().Be(EventStatus.Processing, "the run is recorded only when the handler returns");
        (await host.GetAsync(id)).Event.LockedUntil.Should().BeAfter(host.Time.GetUtcNow(), "its lease keeps being renewed");
        host.Script.RunsOf("stubborn").Should().Be(1);
        host.Logs.WithId(1018).Should().ContainSingle("the handler ignores its cancellation long after its timeout")
            .Which.Level.Should().Be(LogLevel.Warning);
        host.Logs.WithId(1018)[0].Message.Should().Contain(nameof(StepHandler));

        release.SetResult();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 1, "the retry completes");
        sawCancellation.Should().BeTrue();
        var log = (await host.GetAsync(id)).Log;
        log.Should().HaveCount(2);
        var timedOut = log.Should().ContainSingle(l => l.Result == EventLogResult.Failure).Subject;
        timedOut.Error.Should().Contain("HandlerTimeout");
        timedOut.Duration.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMinutes(2), "the run is recorded when it ended, not when it timed out");
        host.Script.MaxConcurrentRunsOf("stubborn").Should().Be(1, "never two runs of one event and handler at once");
    }

    [Fact]
    public async Task HandlerThatBlocksSynchronously_HoldsOnlyItsWorker_AndIsTimedOut()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.MaxConcurrency = 2;
            o.HandlerTimeout = TimeSpan.FromSeconds(5);
        });
        using var unblock = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("blocking", run =>
        {
            if (run.Context.Attempt == 1)
            {
                // Blocks its thread before any await, as code calling .Result on I/O does.
                blocked.TrySetResult();
                unblock.Wait();
                run.Token.ThrowIfCancellationRequested();
            }

            return Task.CompletedTask;
        });
        var id = await host.PublishStepAsync("blocking");
        host.Start();
        await blocked.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The claim loop, the other worker and the writer go on.
        for (var i = 0; i < 20; i++)
        {
            await host.PublishStepAsync($"fast{i}");
        }

        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 20, "the other events complete");

        // The timeout fires while the handler is blocked; it is recorded as timed out once the handler returns.
        host.Time.Advance(TimeSpan.FromSeconds(5));
        unblock.Set();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Failed) == 1, "the blocked run is recorded");
        (await host.GetAsync(id)).Event.LastError.Should().Contain("HandlerTimeout");
    }

    [Fact]
    public async Task CooperativeHandler_IsCancelledAtItsTimeout_AndTheRunCountsAsFailed()
    {
        await using var host = PipelineHost.Create(o => o.HandlerTimeout = TimeSpan.FromSeconds(5));
        var (id, handed) = await host.StartPoliteRunAsync();

        // The watchdog's timer fires inside Advance, so the token's state is exact right after it.
        host.Time.Advance(TimeSpan.FromSeconds(4.9));
        handed.IsCancellationRequested.Should().BeFalse("4.9 s is inside the timeout");
        host.Time.Advance(TimeSpan.FromSeconds(0.1));
        handed.IsCancellationRequested.Should().BeTrue("the timeout is 5 s");
        await host.WaitUntilAsync(() => host.Recorded.Count == 1, "the timed-out run is recorded");

        var details = await host.GetAsync(id);
        details.Event.Status.Should().Be(EventStatus.Failed);
        details.Log.Should().ContainSingle().Which.Duration.Should().Be(TimeSpan.FromSeconds(5));
        host.Logs.WithId(1018).Should().BeEmpty("it honoured its cancellation");
    }
}
