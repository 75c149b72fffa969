using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>The public drain and handler-run observers: what the Testing harness (and any tool) builds on.</summary>
public sealed class EventDrainerTests
{
    [Fact]
    public async Task DrainAsync_RunsWhatIsDue_AndReportsOutcomes()
    {
        await using var app = TestApp.Create(b => b.UseInMemoryStore());
        app.Probe.FailTimes(nameof(TestEventHandler), 1);
        var failing = await PublishTestEventAsync(app, "fails once");
        var fine = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));
        var drainer = app.Services.GetRequiredService<IEventDrainer>();

        var result = await drainer.DrainAsync();

        result.Processed.Should().Be(2);
        result.Completed.Should().Be(1);
        result.Failed.Should().Be(1);
        result.DeadLettered.Should().Be(0);
        result.Released.Should().Be(0);
        (await app.GetAsync(fine)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(failing)).Status.Should().Be(EventStatus.Failed);
        result.ToString().Should().Be("processed 2: 1 completed, 1 failed (retry scheduled), 0 dead-lettered; 0 released");
    }

    [Fact]
    public async Task DrainAsync_StopsClaimingAtMaxEvents()
    {
        await using var app = TestApp.Create(b => b.UseInMemoryStore(), o => o.BatchSize = 1);
        for (var i = 0; i < 3; i++)
        {
            await PublishTestEventAsync(app, $"e{i}");
        }

        var result = await app.Services.GetRequiredService<IEventDrainer>().DrainAsync(maxEvents: 2);

        result.Processed.Should().Be(2);
        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task DrainAsync_NonPositiveMaxEvents_Throws(int maxEvents)
    {
        await using var app = TestApp.Create(b => b.UseInMemoryStore());

        var act = () => app.Services.GetRequiredService<IEventDrainer>().DrainAsync(maxEvents);

        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("maxEvents");
    }

    [Fact]
    public async Task DrainAsync_WhileTheProcessorRuns_ThrowsAndTouchesNothing()
    {
        await using var app = TestApp.Create(b => b.UseInMemoryStore(), o => o.PollingInterval = TimeSpan.FromHours(1));
        using var stop = new CancellationTokenSource();
        var running = app.Processor.RunAsync(stop.Token);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Probe.Gate = gate;
        var id = await PublishTestEventAsync(app, "held");
        await app.Probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the hosted run has the event

        var act = () => app.Services.GetRequiredService<IEventDrainer>().DrainAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("already running");
        gate.SetResult();
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        app.Probe.CountCalls(nameof(TestEventHandler)).Should().Be(1, "the refused drain ran nothing");
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
    }

    [Fact]
    public async Task Observers_SeeEveryRunWithTheException_AndOneThatThrowsChangesNothing()
    {
        var seen = new RecordingObserver();
        await using var app = TestApp.Create(
            b => b.UseInMemoryStore(),
            services: s =>
            {
                s.AddSingleton<IHandlerRunObserver>(new ThrowingObserver());
                s.AddSingleton<IHandlerRunObserver>(seen);
            });
        app.Probe.FailTimes(nameof(TestEventHandler), 1);
        var id = await PublishTestEventAsync(app, "fails once");

        await app.Services.GetRequiredService<IEventDrainer>().DrainAsync();
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.Services.GetRequiredService<IEventDrainer>().DrainAsync();

        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed, "an observer that throws never changes an outcome");
        seen.Runs.Should().HaveCount(2);
        seen.Runs[0].Entry.Handler.Should().Be(nameof(TestEventHandler));
        seen.Runs[0].Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("failed on purpose");
        seen.Runs[0].Event.Id.Should().Be(id);
        seen.Runs[1].Exception.Should().BeNull();
        seen.Runs[1].Entry.Result.Should().Be(EventLogResult.Success);
    }

    private static Task<Guid> PublishTestEventAsync(TestApp app, string data) =>
        app.PublishAsync(p => p.PublishAsync(new TestEvent(data), "test-1"));

    private sealed class RecordingObserver : IHandlerRunObserver
    {
        private readonly Lock _gate = new();

        public List<(EventRecord Event, EventLogEntry Entry, Exception? Exception)> Runs { get; } = [];

        public void OnHandlerRun(EventRecord eventRecord, EventLogEntry entry, Exception? exception)
        {
            lock (_gate)
            {
                Runs.Add((eventRecord, entry, exception));
            }
        }
    }

    private sealed class ThrowingObserver : IHandlerRunObserver
    {
        public void OnHandlerRun(EventRecord eventRecord, EventLogEntry entry, Exception? exception) =>
            throw new InvalidOperationException("observer bug");
    }
}
