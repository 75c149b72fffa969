using System.Collections.Concurrent;

namespace EventKit.Tests.Processing;

/// <summary>An event whose handler does what the test scripted for its name.</summary>
[EventType("step.run", Entity = "step")]
public sealed record Step([property: EntityId] string Name);

/// <summary>One run of <see cref="StepHandler"/>.</summary>
public sealed record StepRun(EventContext<Step> Context, CancellationToken Token);

/// <summary>
/// What <see cref="StepHandler"/> does per step name, and what it did: every run in start order, and how many runs
/// of one step were ever in progress at the same time.
/// </summary>
public sealed class Script
{
    private readonly ConcurrentDictionary<string, Func<StepRun, Task>> _behaviors = new();
    private readonly ConcurrentDictionary<string, int> _running = new();
    private readonly ConcurrentDictionary<string, int> _maxRunning = new();

    public ConcurrentQueue<(string Name, int Attempt)> Runs { get; } = new();

    public void On(string name, Func<StepRun, Task> behavior) => _behaviors[name] = behavior;

    public int RunsOf(string name) => Runs.Count(r => r.Name == name);

    /// <summary>The most runs of <paramref name="name"/> that were in progress at once.</summary>
    public int MaxConcurrentRunsOf(string name) => _maxRunning.GetValueOrDefault(name);

    public async Task RunAsync(EventContext<Step> context, CancellationToken cancellationToken)
    {
        var name = context.Payload.Name;
        var running = _running.AddOrUpdate(name, 1, (_, n) => n + 1);
        _maxRunning.AddOrUpdate(name, running, (_, max) => Math.Max(max, running));
        Runs.Enqueue((name, context.Attempt));
        try
        {
            if (_behaviors.TryGetValue(name, out var behavior))
            {
                await behavior(new StepRun(context, cancellationToken));
            }
        }
        finally
        {
            _running.AddOrUpdate(name, 0, (_, n) => n - 1);
        }
    }
}

public sealed class StepHandler(Script script) : IEventHandler<Step>
{
    public Task HandleAsync(EventContext<Step> context, CancellationToken cancellationToken) => script.RunAsync(context, cancellationToken);
}
