using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.Tests;

/// <summary>
/// The handler timeout counts from the start of the run, its synchronous part included (a handler that blocks before
/// its first await is timed out too), and one worker's reused token source never leaks a cancellation into a later run.
/// </summary>
public sealed class HandlerTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task SynchronousPart_LongerThanTheTimeout_CancelsTheToken_AndTheRunTimesOut()
    {
        await using var app = Create();
        var script = app.Services.GetRequiredService<Script>();
        script.SyncWork = Timeout + TimeSpan.FromSeconds(1); // the handler "runs" 6 s before its first await
        script.ThenWaitForCancellation = true;
        var id = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));

        await app.DrainAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.Failed);
        record.LastError.Should().Contain("HandlerTimeout");
        script.ObservedCancellation.Should().BeTrue();
    }

    [Fact]
    public async Task AsynchronousPart_IsCancelledAfterWhatIsLeftOfTheTimeout()
    {
        await using var app = Create();
        var script = app.Services.GetRequiredService<Script>();
        script.SyncWork = TimeSpan.FromSeconds(2);
        script.ThenWaitForCancellation = true;
        var id = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));

        var run = app.DrainAsync();
        await script.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        app.Time.Advance(TimeSpan.FromSeconds(2.9));
        run.IsCompleted.Should().BeFalse("2 s + 2.9 s is still inside the 5 s timeout");
        app.Time.Advance(TimeSpan.FromSeconds(0.1));
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        (await app.GetAsync(id)).LastError.Should().Contain("HandlerTimeout");
        (await app.GetLogAsync(id)).Single().Duration.Should().Be(Timeout);
    }

    [Fact]
    public async Task ManyRuns_SynchronousAndTimedOut_OnOneWorker_NeverCancelALaterRun()
    {
        await using var app = Create(o => o.MaxConcurrency = 1);
        var script = app.Services.GetRequiredService<Script>();

        // Synchronous runs, then one that times out, then asynchronous runs that complete in time.
        for (var i = 0; i < 20; i++)
        {
            await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", $"sync{i}"));
        }

        await app.DrainAsync();
        script.Runs.Should().Be(20);
        script.Cancelled.Should().Be(0);

        script.ThenWaitForCancellation = true;
        var timedOut = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "slow"));
        var run = app.DrainAsync();
        await script.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        app.Time.Advance(Timeout);
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        (await app.GetAsync(timedOut)).Status.Should().Be(EventStatus.Failed);

        script.ThenWaitForCancellation = false;
        script.YieldOnce = true;
        for (var i = 0; i < 20; i++)
        {
            await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", $"async{i}"));
        }

        var before = script.Cancelled;
        (await app.DrainAsync()).Completed.Should().Be(20);
        script.Cancelled.Should().Be(before, "a token handed to a later run is never already cancelled");
    }

    private static TestApp Create(Action<EventKitOptions>? configure = null) => TestApp.Create(
        b => b.UseInMemoryStore(),
        o =>
        {
            o.HandlerTimeout = Timeout;
            o.BatchSize = 1;
            configure?.Invoke(o);
        },
        b => b.AddHandler<ScriptedHandler>(),
        s => s.AddSingleton<Script>());

    public sealed class Script(FakeTimeProvider time)
    {
        public FakeTimeProvider Time { get; } = time;

        public TimeSpan SyncWork { get; set; }

        public bool ThenWaitForCancellation { get; set; }

        public bool YieldOnce { get; set; }

        /// <summary>Set when a run starts waiting for cancellation (the in-memory drain may run it before DrainAsync returns).</summary>
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool ObservedCancellation { get; set; }

        public int Runs { get; set; }

        public int Cancelled { get; set; }
    }

    public sealed class ScriptedHandler(Script script) : IEventHandler<UserCreated>
    {
        public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
        {
            script.Runs++;
            if (cancellationToken.IsCancellationRequested)
            {
                script.Cancelled++;
            }

            if (script.SyncWork > TimeSpan.Zero)
            {
                script.Time.Advance(script.SyncWork); // time passes inside the synchronous part
            }

            if (script.YieldOnce)
            {
                await Task.Yield();
            }

            if (!script.ThenWaitForCancellation)
            {
                return;
            }

            script.Waiting.TrySetResult();
            try
            {
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                script.ObservedCancellation = true;
                script.Cancelled++;
                throw;
            }
        }
    }
}
