namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// The benchmarks where publishers commit while the processing runs (<c>EndToEndBenchmark</c>, <c>LatencyBenchmark</c>):
/// EventKit's hosted services, or the baseline's <see cref="RawConsumer"/> woken by an in-process signal after each
/// commit. Every event's commit → handler-start latency goes to <see cref="Latencies"/>, written for the report's
/// p50/p95/p99 columns in the global cleanup.
/// </summary>
/// <param name="benchmark">
/// The benchmark class's name, which the report's columns look the latencies up by (not <c>GetType().Name</c>:
/// BenchmarkDotNet runs a generated subclass).
/// </param>
public abstract class CommitToHandlerBenchmark(string benchmark) : StoreBenchmark
{
    private RawConsumer? _consumer;

    private protected LatencyRecorder Latencies { get; } = new();

    /// <summary>What the baseline's publishers signal after each commit, on a database store.</summary>
    private protected WakeSignal? Signal { get; private set; }

    /// <summary>The benchmark method the process ran, which the recorded latencies belong to.</summary>
    private protected string? Method { get; set; }

    /// <summary>The [GlobalSetup] of the EventKit methods: the database, and a host whose hosted services run.</summary>
    private protected async Task StartEventKitAsync()
    {
        await CreateDatabaseAsync();
        NewHost();
        await Host!.StartAsync();
    }

    /// <summary>The [GlobalSetup] of the baseline methods: the in-memory queue or the database, and the raw consumer on it.</summary>
    private protected async Task StartRawAsync()
    {
        if (Store == StoreKind.InMemory)
        {
            Memory = new InMemoryRawOutbox();
            _consumer = RawConsumer.Start(Memory, Probe);
            return;
        }

        await CreateDatabaseAsync();
        Signal = new WakeSignal();
        _consumer = RawConsumer.Start(Database!.Raw, Signal, Probe);
    }

    /// <summary>The baseline's commit of one event with its business row (one ADO.NET transaction), then the wake-up signal; in memory, an enqueue.</summary>
    private protected async Task PublishRawRequestAsync(OrderPlaced payload)
    {
        if (Database is null)
        {
            Memory!.Publish(payload);
            return;
        }

        await Database.Raw.InsertOrderAndEventAsync(payload, DateTime.UtcNow);
        Signal!.Notify();
    }

    private protected override async Task CleanupOwnAsync()
    {
        if (Method is not null)
        {
            CaseMetrics.Write(CaseMetrics.Key(benchmark, Method, [(nameof(Store), Store)]), Latencies.ToMetrics());
        }

        if (_consumer is not null)
        {
            await _consumer.DisposeAsync();
        }
    }
}
