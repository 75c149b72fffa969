using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// An outcome that would be written alone waits up to <see cref="EventKitOptions.OutcomeBatchWindow"/> for others to
/// share its write; a full group, an ordered event's outcome, a stop and a drain never wait. The window's clock is held
/// still here, so only those rules can end a wait.
/// </summary>
public sealed class OutcomeBatchWindowTests
{
    [Fact]
    public async Task OutcomesEndingWithinTheWindow_ShareOneWrite_WrittenAsSoonAsTheGroupIsFull()
    {
        await using var host = Create(o => o.BatchSize = 2);
        var gates = new[] { Gate(), Gate() };
        host.Script.On("a", _ => gates[0].Task);
        host.Script.On("b", _ => gates[1].Task);
        await host.PublishStepAsync("a");
        await host.PublishStepAsync("b");
        host.Start();
        await host.WaitUntilAsync(() => host.Script.Runs.Count == 2, "both handlers run");

        gates[0].SetResult();
        gates[1].SetResult();

        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 2, "both outcomes are recorded, the window never having elapsed");
        host.Store.SettleGroups.Should().Equal([2], "the first outcome waited for the second, and a group of BatchSize is written at once");
    }

    [Fact]
    public async Task OrderedEventsOutcome_IsWrittenAtOnce_ItsEntitysNextEventWaitsForIt()
    {
        await using var host = Create();
        var first = await host.PublishAsync(new Step("a"), new PublishOptions { Ordered = true });
        var second = await host.PublishAsync(new Step("a"), new PublishOptions { Ordered = true });
        host.Start();

        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 2, "both ordered events run and are recorded one after the other, the window never having elapsed");
        host.Script.RunsOf("a").Should().Be(2);
        (await host.GetAsync(first)).Event.Status.Should().Be(EventStatus.Completed);
        (await host.GetAsync(second)).Event.Status.Should().Be(EventStatus.Completed);
    }

    [Fact]
    public async Task Stopping_WritesTheWaitingOutcome_AtOnce()
    {
        await using var host = Create();
        var id = await StartOneRunAsync(host);

        await host.StopAsync();

        host.RecordedCount(EventStatus.Completed).Should().Be(1, "the stop ended the wait before the shutdown timeout could cancel the writer");
        (await host.GetAsync(id)).Event.Status.Should().Be(EventStatus.Completed);
    }

    [Fact]
    public async Task Drain_NeverWaits()
    {
        await using var host = Create();
        var id = await host.PublishStepAsync("a");

        var summary = await host.Processor.DrainAsync().WaitAsync(TimeSpan.FromSeconds(30));

        summary.Completed.Should().Be(1);
        (await host.GetAsync(id)).Event.Status.Should().Be(EventStatus.Completed);
    }

    [Fact]
    public async Task LoneOutcome_IsWrittenWhenTheWindowElapses()
    {
        await using var host = Create();
        var id = await StartOneRunAsync(host);

        // The window's clock moves only here (in steps, as the test cannot see when the writer starts waiting).
        var window = (FakeTimeProvider)host.Processor.WindowClock;
        await host.WaitUntilAsync(
            () =>
            {
                window.Advance(TimeSpan.FromMilliseconds(100));
                return host.RecordedCount(EventStatus.Completed) == 1;
            },
            "the outcome is recorded once the window elapsed");
        (await host.GetAsync(id)).Event.Status.Should().Be(EventStatus.Completed);
        host.Store.SettleGroups.Should().Equal([1]);
    }

    private static PipelineHost Create(Action<EventKitOptions>? configure = null)
    {
        var host = PipelineHost.Create(o =>
        {
            o.OutcomeBatchWindow = TimeSpan.FromSeconds(1);
            configure?.Invoke(o);
        });
        host.Processor.WindowClock = new FakeTimeProvider(TestApp.Start);
        return host;
    }

    /// <summary>Publishes one event, starts the processor and waits until its handler has run.</summary>
    private static async Task<Guid> StartOneRunAsync(PipelineHost host)
    {
        var id = await host.PublishStepAsync("a");
        host.Start();
        await host.WaitUntilAsync(() => host.Script.Runs.Count == 1, "the handler runs");
        return id;
    }

    private static TaskCompletionSource Gate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
