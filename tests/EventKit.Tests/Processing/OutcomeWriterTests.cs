using EventKit.ContractTests;
using EventKit.Internal.Processing;
using FluentAssertions;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>Outcomes are recorded in groups; one the store refuses, or a store that is down for a while, loses nothing.</summary>
public sealed class OutcomeWriterTests
{
    [Fact]
    public async Task OutcomeTheStoreRefuses_AmongManyItAccepts_IsRetriedAlone_AndHoldsBackNoOther()
    {
        await using var host = PipelineHost.Create();
        host.Script.On("refused", _ => Task.CompletedTask);
        var refused = await host.PublishStepAsync("refused");
        for (var i = 0; i < 30; i++)
        {
            await host.PublishStepAsync($"ok{i}");
        }

        // The store refuses this outcome twice, then accepts it (a constraint that clears, say).
        var refusals = 0;
        host.Store.RefuseOutcomeOf(refused, _ => Interlocked.Increment(ref refusals) <= 2);
        host.Start();

        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 30, "the 30 other outcomes are recorded");
        (await host.GetAsync(refused)).Event.Status.Should().Be(EventStatus.Processing, "its outcome waits for a retry");

        await host.AdvanceUntilAsync(TimeSpan.FromMilliseconds(250), () => host.RecordedCount(EventStatus.Completed) == 31, "the refused outcome is recorded on a retry");
        host.Script.RunsOf("refused").Should().Be(1, "its handler's run had ended: it is not run again");
        host.Script.Runs.Should().HaveCount(31);
    }

    [Fact]
    public async Task OutcomeRefusedForItsErrorText_IsRecordedWithTheTextReplaced()
    {
        await using var host = PipelineHost.Create();
        host.Script.On("bad-text", _ => throw new InvalidOperationException("text the store cannot hold"));
        var id = await host.PublishStepAsync("bad-text");
        for (var i = 0; i < 5; i++)
        {
            await host.PublishStepAsync($"ok{i}");
        }

        host.Store.RefuseOutcomeOf(id, o => o.Error?.Contains("cannot hold", StringComparison.Ordinal) == true);
        host.Start();

        await host.WaitUntilAsync(() => host.Recorded.Count == 6 && host.Logs.WithId(1023).Count == 1, "every outcome is recorded, the refused one with its texts replaced");
        var details = await host.GetAsync(id);
        details.Event.Status.Should().Be(EventStatus.Failed, "its status and retry time are kept");
        details.Event.LastError.Should().Be(OutcomeFallback.Note);
        details.Log.Should().ContainSingle().Which.Error.Should().Be(OutcomeFallback.Note);
        host.Logs.WithId(1023).Should().ContainSingle();
    }

    [Fact]
    public async Task StoreOutage_OfAFewSeconds_RerunsNoFinishedHandler_AndLosesNothing()
    {
        await using var host = PipelineHost.Create(o => o.MaxConcurrency = 4);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("during-outage", _ => gate.Task);
        await host.PublishStepAsync("during-outage");
        for (var i = 0; i < 20; i++)
        {
            await host.PublishStepAsync($"before{i}");
        }

        host.Start();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 20, "the others are recorded");

        // The database goes away while a handler runs; the run ends during the outage, and its outcome cannot be written.
        host.Store.Down = true;
        gate.SetResult();
        await host.AdvanceUntilAsync(TimeSpan.FromMilliseconds(250), () => host.Store.SettleFailures >= 4, "the writer has tried four times");

        // Back after a few seconds, well inside the 30 s lease: the kept outcome is written on the next retry.
        (host.Time.GetUtcNow() - TestApp.Start).Should().BeLessThan(TimeSpan.FromSeconds(10));
        host.Store.Down = false;
        await host.AdvanceUntilAsync(TimeSpan.FromMilliseconds(250), () => host.RecordedCount(EventStatus.Completed) == 21, "the outcome kept through the outage is recorded");

        host.Script.RunsOf("during-outage").Should().Be(1, "the run had ended: the outage must not make it run again");
        host.Script.Runs.Should().HaveCount(21);
        host.Logs.WithId(1004).Should().HaveCountGreaterThanOrEqualTo(4, "each failed write is logged with its next try");
        host.Run.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task StoreDown_LongerThanTheLease_GivesTheOutcomeUp_AndTheEventRunsAgain()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(5);
            o.PollingInterval = TimeSpan.FromSeconds(10);
        });
        var first = true;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("long-outage", _ =>
        {
            if (!first)
            {
                return Task.CompletedTask;
            }

            first = false;
            return gate.Task;
        });
        var id = await host.PublishStepAsync("long-outage");
        host.Start();
        await host.WaitUntilAsync(() => host.Script.RunsOf("long-outage") == 1, "the handler runs");

        host.Store.Down = true;
        gate.SetResult();
        await host.AdvanceUntilAsync(TimeSpan.FromMilliseconds(500), () => host.Logs.WithId(1025).Count > 0, "the outcome is given up once its lease has expired");
        host.Logs.WithId(1025).Should().ContainSingle();

        host.Store.Down = false;
        await host.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => host.RecordedCount(EventStatus.Completed) == 1, "a poll finds the expired lease and the event is handled again");
        host.Script.RunsOf("long-outage").Should().Be(2);
        (await host.GetAsync(id)).Event.Attempts.Should().Be(2);
    }
}
