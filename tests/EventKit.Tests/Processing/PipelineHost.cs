using System.Collections.Concurrent;
using EventKit.ContractTests;
using EventKit.InMemory;
using EventKit.Internal;
using EventKit.Internal.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EventKit.Tests.Processing;

/// <summary>
/// The hosted processor's pipeline (<see cref="EventProcessor.RunAsync"/>) on an <see cref="ObservedStore"/> with a
/// fake clock: the test publishes, starts, moves the clock and waits for outcomes the store recorded.
/// </summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly ConcurrentQueue<(EventRecord Event, EventOutcome Outcome)> _recorded = new();
    private readonly ServiceProvider _services;
    private Task? _run;

    private PipelineHost(ServiceProvider services, FakeTimeProvider time, LogCapture logs)
    {
        _services = services;
        Time = time;
        Logs = logs;
        Store = (ObservedStore)services.GetRequiredService<IEventStore>();
        Processor = services.GetRequiredService<EventProcessor>();
        Script = services.GetRequiredService<Script>();
        Processor.OutcomeObserver = (record, outcome) => _recorded.Enqueue((record, outcome));
    }

    public FakeTimeProvider Time { get; }

    public LogCapture Logs { get; }

    public ObservedStore Store { get; }

    public EventProcessor Processor { get; }

    public Script Script { get; }

    public IServiceProvider Services => _services;

    public Task Run => _run ?? throw new InvalidOperationException("Not started.");

    /// <summary>Outcomes the store accepted, in the order it accepted them.</summary>
    public IReadOnlyList<(EventRecord Event, EventOutcome Outcome)> Recorded => [.. _recorded];

    public static PipelineHost Create(Action<EventKitOptions>? configure = null, Action<IEventKitBuilder>? handlers = null, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(TestApp.Start);
        var logs = new LogCapture();
        var collection = new ServiceCollection().AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        collection.AddSingleton<TimeProvider>(time);
        collection.AddSingleton<Script>();
        services?.Invoke(collection);
        var builder = collection.AddEventKit(o =>
        {
            // Only signals and due times wake the processor: no poll happens unless a test moves the clock an hour.
            o.PollingInterval = TimeSpan.FromHours(1);
            configure?.Invoke(o);
        });
        (handlers ?? (b => b.AddHandler<StepHandler>()))(builder);
        collection.Replace(ServiceDescriptor.Singleton<IEventStore>(sp => new ObservedStore(new InMemoryEventStore(sp.GetRequiredService<EventSignal>()))));
        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        return new PipelineHost(provider, time, logs);
    }

    public PipelineHost Start()
    {
        _run = Processor.RunAsync(_stop.Token, _hardStop.Token);
        return this;
    }

    /// <summary>Stops as the host does; <paramref name="hostWaitsNoLonger"/> also cancels the host's own stop token.</summary>
    public async Task StopAsync(bool hostWaitsNoLonger = false)
    {
        // Synchronously, as the host's BackgroundService.StopAsync cancels its stopping token.
        _stop.Cancel();
        if (hostWaitsNoLonger)
        {
            _hardStop.Cancel();
        }

        await Run.WaitAsync(Wait);
    }

    public async Task<Guid> PublishAsync<TPayload>(TPayload payload, PublishOptions? options = null)
        where TPayload : notnull
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(payload, options);
    }

    public Task<Guid> PublishStepAsync(string name) => PublishAsync(new Step(name));

    /// <summary>
    /// Publishes a step whose handler waits on its token until that is cancelled, starts the processor, and returns once
    /// the handler runs: the event's id and the token the handler got.
    /// </summary>
    public async Task<(Guid Id, CancellationToken Token)> StartPoliteRunAsync()
    {
        var token = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        Script.On("polite", run =>
        {
            token.TrySetResult(run.Token);
            return Task.Delay(Timeout.InfiniteTimeSpan, run.Token);
        });
        var id = await PublishStepAsync("polite");
        Start();
        return (id, await token.Task.WaitAsync(Wait));
    }

    public async Task<EventDetails> GetAsync(Guid id) =>
        await _services.GetRequiredService<IEventOperations>().GetEventAsync(id) ?? throw new InvalidOperationException($"Event {id} does not exist.");

    public int RecordedCount(EventStatus status) => _recorded.Count(r => r.Outcome.Status == status);

    /// <summary>Waits until <paramref name="condition"/> holds (made true by the pipeline's own tasks); fails after 30 s.</summary>
    public Task WaitUntilAsync(Func<bool> condition, string what) => AdvanceUntilAsync(TimeSpan.Zero, condition, what);

    /// <summary>
    /// Moves the fake clock by <paramref name="step"/> at a time until <paramref name="condition"/> holds, so a test
    /// need not know exactly when the pipeline arms its next timer; fails after 30 s of real time.
    /// </summary>
    public async Task AdvanceUntilAsync(TimeSpan step, Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!condition())
        {
            if (step > TimeSpan.Zero)
            {
                Time.Advance(step);
            }

            try
            {
                await Task.Delay(1, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                var recent = string.Join(Environment.NewLine, Logs.Entries.TakeLast(40).Select(e => $"  {e.Level} {e.EventId.Id} {e.Message} {e.Exception?.GetType().Name}"));
                throw new TimeoutException($"Timed out waiting until {what} (fake time {Time.GetUtcNow():O}). Recent log:{Environment.NewLine}{recent}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_run is not null && !_run.IsCompleted)
        {
            await _stop.CancelAsync();
            await _hardStop.CancelAsync();
            await _run.WaitAsync(Wait);
        }

        await _services.DisposeAsync();
        _stop.Dispose();
        _hardStop.Dispose();
    }
}
