using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;

namespace EventKit.Benchmarks;

/// <summary>
/// Memory while draining a large backlog: <see cref="Events"/> pending events (1,000,000; created in
/// [IterationSetup] with COPY / a prepared INSERT, not measured) drained by 4 EventKit processors with default
/// options (batch 100), driven as in <see cref="DrainBenchmark"/>. A sampler records the working set and GC heap
/// every 100 ms; the report shows the peak and the working set when draining started, and the whole profile is
/// written next to the report (<c>BacklogMemoryBenchmark-profile-{store}.md</c>). Database stores only: the
/// in-memory store holds its backlog in memory by design. run.sh runs one cold iteration (<c>--strategy ColdStart --warmupCount 0 --iterationCount 1</c>):
/// it takes minutes.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class BacklogMemoryBenchmark : StoreBenchmark
{
    public const int Events = 1_000_000;
    public const int Processors = 4;

    private readonly List<(double Seconds, int Handled, long WorkingSet, long Heap)> _samples = [];

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    public static int Backlog => BenchSettings.Scale(Events, 2_000);

    public static IEnumerable<StoreKind> Stores() => BenchSettings.DatabaseStores();

    [GlobalSetup]
    public Task SetupAsync() => CreateDatabaseAsync();

    [IterationSetup]
    public void Setup()
    {
        SetupBacklog(Backlog);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    [IterationCleanup]
    public void Verify() => VerifyDrained(Backlog);

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task EventKit()
    {
        _samples.Clear();
        var clock = Stopwatch.StartNew();
        using var sampler = new Timer(_ => Sample(clock), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
        await Host!.RunProcessorsAsync(Processors, Backlog);
        Sample(clock);
    }

    private void Sample(Stopwatch clock)
    {
        var sample = (clock.Elapsed.TotalSeconds, Probe.Count, Environment.WorkingSet, GC.GetGCMemoryInfo().HeapSizeBytes);
        lock (_samples)
        {
            _samples.Add(sample);
        }
    }

    private protected override Task CleanupOwnAsync()
    {
        WriteProfile();
        return Task.CompletedTask;
    }

    private void WriteProfile()
    {
        List<(double Seconds, int Handled, long WorkingSet, long Heap)> samples;
        lock (_samples)
        {
            samples = [.. _samples];
        }

        if (samples.Count == 0)
        {
            return;
        }

        const double MB = 1024 * 1024;
        var key = CaseMetrics.Key(nameof(BacklogMemoryBenchmark), nameof(EventKit), [(nameof(Store), Store)]);
        CaseMetrics.Write(key, new Dictionary<string, double>
        {
            ["PeakWorkingSetMB"] = samples.Max(s => s.WorkingSet) / MB,
            ["StartWorkingSetMB"] = samples[0].WorkingSet / MB,
            ["PeakManagedHeapMB"] = samples.Max(s => s.Heap) / MB,
        });

        // About 20 rows: enough to see whether memory follows the backlog or stays flat.
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Memory while draining {Backlog:N0} events ({Store}, {Processors} processors, batch 100)")
            .AppendLine()
            .AppendLine("| Elapsed (s) | Handled | Working set (MB) | GC heap (MB) |")
            .AppendLine("|---:|---:|---:|---:|");
        var step = Math.Max(1, samples.Count / 20);
        for (var i = 0; i < samples.Count; i += step)
        {
            AppendRow(samples[i]);
        }

        if ((samples.Count - 1) % step != 0)
        {
            AppendRow(samples[^1]);
        }

        Directory.CreateDirectory(BenchSettings.MetricsDirectory);
        File.WriteAllText(Path.Combine(BenchSettings.MetricsDirectory, $"BacklogMemoryBenchmark-profile-{Store}.md"), text.ToString());

        void AppendRow((double Seconds, int Handled, long WorkingSet, long Heap) s) =>
            text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Seconds:F1} | {s.Handled:N0} | {s.WorkingSet / MB:F0} | {s.Heap / MB:F0} |");
    }
}
