using EventKit.Internal;
using EventKit.Internal.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// EventKit as an application registers it: <c>AddEventKit</c> with the benchmark handler, the in-memory store or
/// the EF store on the benchmark database. Logging has no provider (as with a filtered production logger) and no
/// OpenTelemetry listener is attached, so spans and metric instruments take their no-listener fast paths.
/// </summary>
internal sealed class EventKitHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private List<IHostedService>? _started;

    public EventKitHost(StoreKind store, BenchDatabase? database, HandlerProbe probe, Action<EventKitOptions>? configure = null, bool pooled = false, Action<IServiceCollection>? configureServices = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(probe);
        var eventKit = services.AddEventKit(o =>
        {
            if (BenchSettings.OutcomeWindow is { } window)
            {
                o.OutcomeBatchWindow = window;
            }

            configure?.Invoke(o);
        }).AddHandler<BenchHandler>();
        if (store == StoreKind.InMemory)
        {
            eventKit.UseInMemoryStore();
        }
        else
        {
            (database ?? throw new ArgumentNullException(nameof(database))).AddTo(services, eventKit, pooled);
        }

        configureServices?.Invoke(services);

        _services = services.BuildServiceProvider();
        Store = store;
    }

    public StoreKind Store { get; }

    public IServiceProvider Services => _services;

    /// <summary>Starts EventKit's hosted services (processor loop, retention, backlog sampler), as the host would.</summary>
    public async Task StartAsync()
    {
        _started = [.. _services.GetServices<IHostedService>()];
        foreach (var service in _started)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>A processor with its own lease owner id, as another instance would have.</summary>
    public EventProcessor NewProcessor() => new(
        _services.GetRequiredService<IServiceScopeFactory>(),
        _services.GetRequiredService<HandlerRegistry>(),
        _services.GetRequiredService<IOptions<EventKitOptions>>(),
        _services.GetRequiredService<TimeProvider>(),
        _services.GetRequiredService<ILogger<EventProcessor>>(),
        _services.GetRequiredService<EventKitTelemetry>(),
        _services.GetRequiredService<EventSignal>(),
        _services.GetRequiredService<ProcessorHeartbeat>(),
        _services.GetRequiredService<RetryPolicy>(),
        _services.GetRequiredService<EventHandOff>(),
        _services.GetServices<IEventStoreWatcher>(),
        _services.GetServices<IHandlerRunObserver>());

    /// <summary>
    /// Runs <paramref name="processors"/> processors exactly as the hosted service runs one (the streaming pipeline,
    /// each its own lease owner) until <paramref name="expected"/> outcomes are recorded in the store, then stops them.
    /// </summary>
    public async Task RunProcessorsAsync(int processors, int expected)
    {
        var recorded = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var runs = new Task[processors];
        for (var i = 0; i < runs.Length; i++)
        {
            var processor = NewProcessor();
            processor.OutcomeObserver = (_, _) =>
            {
                if (Interlocked.Increment(ref recorded) == expected)
                {
                    done.TrySetResult();
                }
            };
            runs[i] = Task.Run(() => processor.RunAsync(stop.Token));
        }

        await done.Task;
        await stop.CancelAsync();
        await Task.WhenAll(runs);
    }

    public async ValueTask DisposeAsync()
    {
        if (_started is not null)
        {
            foreach (var service in Enumerable.Reverse(_started))
            {
                await service.StopAsync(CancellationToken.None);
            }
        }

        await _services.DisposeAsync();
    }
}
