using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>The suite's report: per-event figures, throughput relative to the raw loop, and the self-measured columns.</summary>
public static class BenchConfig
{
    public static IConfig Create()
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddColumn(new EventsPerSecondColumn(), new ThroughputRatioColumn())
            .AddColumn(
                new MetricColumn("LatencyP50", "Commit→handler p50 (ms)", "Commit → handler start, 50th percentile, measured per event", "0.00", 2),
                new MetricColumn("LatencyP95", "p95 (ms)", "Commit → handler start, 95th percentile", "0.00", 3),
                new MetricColumn("LatencyP99", "p99 (ms)", "Commit → handler start, 99th percentile", "0.00", 4),
                new MetricColumn("CommitsPerEvent", "Commits/event", "Writing transactions per event on PostgreSQL (transaction ids assigned: pg_current_snapshot() before and after each operation)", "0.00", 1),
                new MetricColumn("LatencySamples", "Latency samples", "Events behind the latency percentiles", "N0", 5),
                new MetricColumn("PeakWorkingSetMB", "Peak WS (MB)", "Peak working set of the process while draining (sampled every 100 ms)", "N0", 6),
                new MetricColumn("StartWorkingSetMB", "WS at start (MB)", "Working set when draining started", "N0", 7),
                new MetricColumn("PeakManagedHeapMB", "Peak GC heap (MB)", "Peak GC heap size while draining (sampled every 100 ms)", "N0", 8))
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend))
            .WithOption(ConfigOptions.JoinSummary, false)

            // The generated project of each case is built while other work may load this 2-core machine: BenchmarkDotNet's
            // default of 2 minutes was reached on a busy machine and lost the whole run.
            .WithBuildTimeout(TimeSpan.FromMinutes(15));
        if (BenchSettings.Smoke)
        {
            // The dry run in CI may build Debug; its numbers are not read.
            config = config.WithOption(ConfigOptions.DisableOptimizationsValidator, true);
        }

        return config;
    }
}
