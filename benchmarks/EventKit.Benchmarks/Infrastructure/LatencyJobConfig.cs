using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// Fixes <see cref="LatencyBenchmark"/>'s operations per iteration (a mutator: it applies to whatever job the command
/// line chose). Left to the pilot, a slow first operation (JIT, connection) makes BenchmarkDotNet run one operation
/// per iteration and the percentiles would rest on a handful of events. The CI smoke run keeps one.
/// </summary>
public sealed class LatencyJobConfig : ManualConfig
{
    public const int Operations = 100;

    public LatencyJobConfig() =>
        AddJob(Job.Default.WithInvocationCount(BenchSettings.Smoke ? 1 : Operations).WithUnrollFactor(1).AsMutator());
}
