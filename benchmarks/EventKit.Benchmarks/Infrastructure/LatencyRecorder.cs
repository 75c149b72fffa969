using System.Diagnostics;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>Collects latencies (in <see cref="Stopwatch"/> ticks) and reports percentiles in milliseconds.</summary>
public sealed class LatencyRecorder
{
    private readonly List<long> _ticks = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ticks.Count;
            }
        }
    }

    public void Add(long ticks)
    {
        lock (_gate)
        {
            _ticks.Add(ticks);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _ticks.Clear();
        }
    }

    /// <summary>Nearest-rank percentile in milliseconds, or NaN without samples.</summary>
    public double Percentile(double p)
    {
        long[] sorted;
        lock (_gate)
        {
            if (_ticks.Count == 0)
            {
                return double.NaN;
            }

            sorted = [.. _ticks];
        }

        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    /// <summary>The metrics the report columns show: count, p50, p95, p99, max (ms).</summary>
    public Dictionary<string, double> ToMetrics() => new()
    {
        ["LatencySamples"] = Count,
        ["LatencyP50"] = Percentile(50),
        ["LatencyP95"] = Percentile(95),
        ["LatencyP99"] = Percentile(99),
        ["LatencyMax"] = Percentile(100),
    };
}
