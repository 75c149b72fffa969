using Microsoft.Extensions.DependencyInjection;
using FluentAssertions;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>The pipeline streams: no batch barrier, so one slow run holds back nothing claimed with it.</summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task SlowRun_AmongFastEvents_HoldsBackNoneOfThem_AndClaimingGoesOn()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.BatchSize = 100;
            o.MaxConcurrency = 8;
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
        });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("slow", _ => gate.Task);
        var slow = await host.PublishStepAsync("slow");
        for (var i = 0; i < 199; i++)
        {
            await host.PublishStepAsync($"fast{i}");
        }

        host.Start();

        // 199 fast events complete while the slow one runs: more than one claim's worth (BatchSize 100).
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 199, "the 199 fast events are completed");

        // Its worker may not have entered the handler yet on a busy machine; it runs once, and is still running.
        await host.WaitUntilAsync(() => host.Script.RunsOf("slow") == 1, "the slow run started");
        (await host.GetAsync(slow)).Event.Status.Should().Be(EventStatus.Processing, "the slow run is still going");
        host.Store.Claims.Should().BeGreaterThanOrEqualTo(2, "claims went on while the slow run held a worker");

        gate.SetResult();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 200, "the slow event is completed too");
        host.Script.Runs.Should().HaveCount(200, "every event ran once");
    }

    [Fact]
    public async Task EveryWorkerBusyWithSlowRuns_FastEventsWaitOnlyForAFreeWorker()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.BatchSize = 10;
            o.MaxConcurrency = 3;
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
        });
        var gates = Enumerable.Range(0, 2).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        host.Script.On("slow0", _ => gates[0].Task);
        host.Script.On("slow1", _ => gates[1].Task);
        await host.PublishStepAsync("slow0");
        await host.PublishStepAsync("slow1");
        for (var i = 0; i < 50; i++)
        {
            await host.PublishStepAsync($"fast{i}");
        }

        host.Start();

        // Two workers are held; the third runs all 50 fast events, claimed as the buffer empties (BatchSize 10).
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 50, "the fast events are completed");
        host.Store.Claims.Should().BeGreaterThanOrEqualTo(5);

        gates[0].SetResult();
        gates[1].SetResult();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 52, "all are completed");
    }

    [Fact]
    public async Task LargePayloads_AreClaimedABudgetAtATime_AndTheNextClaimComesWithoutWaitingForAPoll()
    {
        await using var host = PipelineHost.Create(
            o => o.MaxClaimPayloadSize = 4 * 1024,
            b => b.AddHandler<BulkyHandler>(),
            s => s.AddSingleton<BulkyRuns>());
        for (var i = 0; i < 20; i++)
        {
            await host.PublishAsync(new Bulky($"b{i}", new string('x', 1500)));
        }

        host.Start();

        // The polling interval is an hour and the clock does not move: only claiming again at once gets through them.
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 20, "every bulky event is completed");
        host.Store.Claims.Should().BeGreaterThanOrEqualTo(7, "a claim loads at most 4 KiB of payload: two of these events");
        ((BulkyRuns)host.Services.GetService(typeof(BulkyRuns))!).Count.Should().Be(20);
    }

    [EventType("bulky.thing", Entity = "thing")]
    public sealed record Bulky([property: EntityId] string Name, string Blob);

    public sealed class BulkyRuns
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    public sealed class BulkyHandler(BulkyRuns runs) : IEventHandler<Bulky>
    {
        public Task HandleAsync(EventContext<Bulky> context, CancellationToken cancellationToken)
        {
            runs.Add();
            return Task.CompletedTask;
        }
    }
}
