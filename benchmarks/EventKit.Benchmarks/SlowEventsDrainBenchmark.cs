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
public class SlowEventsDrainBenchmark : StoreBenchmark
{
    public const int Events = 20_000;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    [ParamsSource(nameof(Concurrencies))]
    public int MaxConcurrency { get; set; }

    public static int Backlog => BenchSettings.Scale(Events, 200);

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    public static IEnumerable<int> Concurrencies() => BenchSettings.Values([8, 32], [32]);

    [GlobalSetup]
    public Task SetupAsync() => CreateDatabaseAsync();

    [IterationSetup(Target = nameof(AllFast))]
    public void SetupAllFast() => Setup(slowEvery: 0);

    [IterationSetup(Target = nameof(OnePercentSlow))]
    public void SetupOnePercentSlow() => Setup(slowEvery: 100);

    [IterationCleanup]
    public void Verify() => VerifyDrained(Backlog);

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public Task AllFast() => Host!.RunProcessorsAsync(1, Backlog);

    [Benchmark(OperationsPerInvoke = Events)]
    public Task OnePercentSlow() => Host!.RunProcessorsAsync(1, Backlog);

    private void Setup(int slowEvery)
    {
        SetupBacklog(Backlog, o =>
        {
            o.BatchSize = 100;
            o.MaxConcurrency = MaxConcurrency;
        });
        Probe.SlowEvery = slowEvery;
        Probe.SlowFor = TimeSpan.FromMilliseconds(200);
    }
}
