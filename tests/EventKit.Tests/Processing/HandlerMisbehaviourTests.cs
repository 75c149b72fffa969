using EventKit.ContractTests;
using FluentAssertions;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// Handlers that misbehave in ways a Task-returning method allows. README "Every event stands
/// alone": "A slow, hanging, throwing or undeserializable event delays and fails only itself, never the events claimed
/// with it"; "Retries and dead letters": a run fails when it throws; its error is in the event log.
/// </summary>
public sealed class HandlerMisbehaviourTests
{
    [Fact]
    public async Task NullTask_SynchronousThrow_OwnOperationCanceled_EachFailsOnlyItself_LoopStaysAlive()
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.MaxConcurrency = 2;
                o.RetryBaseDelay = TimeSpan.FromMinutes(1);
                o.RetryMaxDelay = TimeSpan.FromMinutes(1);
            },
            b => b.AddHandler<StepHandler>().AddHandler<MisbehavingHandler>());

        var bad = new Dictionary<string, Guid>();
        foreach (var name in new[] { "null-task", "sync-throw", "own-cancel", "own-cancel-async" })
        {
            bad[name] = await host.PublishAsync(new Misbehave(name));
        }

        var good = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            good.Add(await host.PublishStepAsync($"fine{i}"));
        }

        host.Start();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 10 && host.RecordedCount(EventStatus.Failed) == 4, "every event is recorded");

        foreach (var (name, id) in bad)
        {
            var details = await host.GetAsync(id);
            details.Event.Status.Should().Be(EventStatus.Failed, name);
            details.Event.Attempts.Should().Be(1, name);
            details.Log.Should().ContainSingle(name).Which.Result.Should().Be(EventLogResult.Failure, name);
            details.Event.LastError.Should().NotBeNullOrEmpty(name);
        }

        (await host.GetAsync(bad["sync-throw"])).Event.LastError.Should().Contain("thrown before any Task");
        (await host.GetAsync(bad["own-cancel"])).Event.LastError.Should().Contain("gave up on its own");
        (await host.GetAsync(bad["own-cancel"])).Event.LastError.Should().NotContain("HandlerTimeout", "it was not a timeout");

        // The loop is alive: a new event published afterwards runs, and the retries come.
        var later = await host.PublishStepAsync("later");
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 11, "a later event completes");
        (await host.GetAsync(later)).Event.Status.Should().Be(EventStatus.Completed);
        await host.AdvanceUntilAsync(TimeSpan.FromSeconds(10), () => MisbehavingHandler.Runs(bad["sync-throw"]) == 2, "the retry runs");
    }

    [EventType("probe.misbehave", Entity = "probe")]
    public sealed record Misbehave([property: EntityId] string Mode);

    /// <summary>Misbehaves as its payload says, without any async wrapper: the Task is what the method returns.</summary>
    public sealed class MisbehavingHandler : IEventHandler<Misbehave>
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> RunCounts = new();

        public static int Runs(Guid id) => RunCounts.GetValueOrDefault(id);

        public Task HandleAsync(EventContext<Misbehave> context, CancellationToken cancellationToken)
        {
            RunCounts.AddOrUpdate(context.Id, 1, (_, n) => n + 1);
            return context.Payload.Mode switch
            {
                "null-task" => null!,
                "sync-throw" => throw new InvalidOperationException("thrown before any Task"),
                "own-cancel" => throw new OperationCanceledException("gave up on its own"),
                _ => Task.FromException(new TaskCanceledException("a client library's timeout")),
            };
        }
    }

    [Fact]
    public async Task HandlerPublishing_FromInsideItsRun_FollowUpRunsOnce()
    {
        await using var host = PipelineHost.Create();
        host.Script.On("parent", async run =>
        {
            if (run.Context.Attempt == 1)
            {
                await host.PublishStepAsync("child");
            }
        });
        var parent = await host.PublishStepAsync("parent");
        host.Start();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 2, "parent and child complete");
        host.Script.RunsOf("parent").Should().Be(1);
        host.Script.RunsOf("child").Should().Be(1);
        (await host.GetAsync(parent)).Event.Status.Should().Be(EventStatus.Completed);
    }
}
