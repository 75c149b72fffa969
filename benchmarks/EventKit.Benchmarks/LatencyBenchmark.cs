using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;

namespace EventKit.Benchmarks;

/// <summary>
/// Commit → handler-start latency with an in-process publisher and an idle processor. The operation publishes and
/// commits one event (with its business row) and waits until its handler has started, so Mean is the full round
/// trip. The commit → handler-start part of every operation (but those of the first invocation, which include JIT)
/// is recorded separately and reported in the p50/p95/p99 columns: BenchmarkDotNet's own percentiles are over
/// iteration means, not over single events. Each iteration runs <see cref="LatencyJobConfig.Operations"/> operations.
/// EventKit runs its hosted services with default options (the processor waits for the commit interceptor's
/// signal); the baseline consumer waits for an in-process signal the raw publisher sends after its commit.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyJobConfig))]
public class LatencyBenchmark() : CommitToHandlerBenchmark(nameof(LatencyBenchmark))
{
    private int _operations;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    [GlobalSetup(Target = nameof(EventKit))]
    public Task SetupEventKitAsync() => StartEventKitAsync();

    [GlobalSetup(Target = nameof(Raw))]
    public Task SetupRawAsync() => StartRawAsync();

    [Benchmark(Baseline = true)]
    public Task Raw() => RoundTripAsync(nameof(Raw), PublishRawRequestAsync);

    [Benchmark]
    public Task EventKit() => RoundTripAsync(nameof(EventKit), PublishRequestAsync);

    private async Task RoundTripAsync(string method, Func<OrderPlaced, Task> commit)
    {
        Method = method;
        Probe.Expect(1);
        await commit(OrderPlaced.Create(0));
        Probe.Committed(0);
        await Probe.Done;

        // The first operations pay for JIT and connection warm-up; they are not part of the percentiles.
        if (++_operations > 5)
        {
            Probe.CopyLatencies(1, Latencies);
        }
    }
}
