using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;

namespace EventKit.Benchmarks;

/// <summary>
/// Workload 3b, a slow event among fast ones: the drain of <see cref="Backlog"/> pending events where one event in a
/// hundred has a 200 ms handler (an asynchronous wait, as a slow gateway call is), against the same drain with every
/// handler fast (the baseline), in the same run and with the same options. One processor runs the streaming
/// pipeline exactly as the hosted service does; <see cref="MaxConcurrency"/> workers; BatchSize 100. With a batch
/// barrier the slow event held back every event claimed with it; the ratio shows what it costs now.
/// <para>
/// Arithmetic ceiling: slow events arrive at 1 % of the drain rate and each holds a worker for 200 ms, so they need
/// 0.002 × (events/s) workers on average. With 8 workers that caps the drain at 4,000 events/s whatever the
/// pipeline does; 32 workers lift the cap to 16,000 events/s. Both are measured.
/// </para>
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class SlowEventsDrainBenchmark
{
    public const int Events = 20_000;

    private readonly HandlerProbe _probe = new();
    private BenchDatabase? _database;
    private EventKitHost? _host;

    [ParamsSource(nameof(Stores))]
    public StoreKind Store { get; set; }

    [ParamsSource(nameof(Concurrencies))]
    public int MaxConcurrency { get; set; }

    public static int Backlog => BenchSettings.Scale(Events, 200);

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    public static IEnumerable<int> Concurrencies() => BenchSettings.Values([8, 32], [32]);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Store != StoreKind.InMemory)
        {
            _database = await BenchDatabase.CreateAsync(Store);
        }
    }

    [IterationSetup(Target = nameof(AllFast))]
    public void SetupAllFast() => Setup(slowEvery: 0);

    [IterationSetup(Target = nameof(OnePercentSlow))]
    public void SetupOnePercentSlow() => Setup(slowEvery: 100);

    [IterationCleanup]
    public void Verify() => Infrastructure.Backlog.VerifyDrainedAsync(_database, Backlog, _probe).GetAwaiter().GetResult();

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public Task AllFast() => _host!.RunProcessorsAsync(1, Backlog);

    [Benchmark(OperationsPerInvoke = Events)]
    public Task OnePercentSlow() => _host!.RunProcessorsAsync(1, Backlog);

    private void Setup(int slowEvery)
    {
        _host?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _host = new EventKitHost(Store, _database, _probe, o =>
        {
            o.BatchSize = 100;
            o.MaxConcurrency = MaxConcurrency;
        });
        Infrastructure.Backlog.FillAsync(_host, _database, Backlog).GetAwaiter().GetResult();
        _probe.Expect(Backlog);
        _probe.SlowEvery = slowEvery;
        _probe.SlowFor = TimeSpan.FromMilliseconds(200);
    }
}
