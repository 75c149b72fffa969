using System.Diagnostics.Metrics;

namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// Throughput and per-type / per-handler statistics of this process, read from EventKit's own <see cref="Meter"/>
/// (named <c>EventKit</c>, documented public telemetry) since the dashboard was mapped: what
/// <see cref="OperationsDashboardData"/> shows until the operations API computes them in the store for every instance.
/// Only the application's meter is observed (the one its <see cref="IMeterFactory"/> created), so two applications in
/// one process do not mix. Minute buckets are kept for <see cref="Horizon"/>; latency samples per type are bounded.
/// </summary>
internal sealed class ProcessStatistics : IDisposable
{
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(25);

    private const int LatencySamplesPerType = 2_048;
    private const string TypeTag = "messaging.destination.name";

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly object? _meterScope;
    private readonly MeterListener _listener;
    private readonly SortedDictionary<long, long[]> _minutes = [];
    private readonly Dictionary<string, TypeTotals> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Type, string Handler), HandlerTotals> _handlers = [];

    public ProcessStatistics(TimeProvider time, IMeterFactory? meterFactory)
    {
        _time = time;
        _meterScope = meterFactory;
        StartedAt = time.GetUtcNow();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "EventKit" && ReferenceEquals(instrument.Meter.Scope, _meterScope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, 0, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument.Name, 1, value, tags));
        _listener.Start();
    }

    public DateTimeOffset StartedAt { get; }

    /// <summary>When a handler last ran in this process, if one did.</summary>
    public DateTimeOffset? LastRunAt { get; private set; }

    public IReadOnlyList<TimelineBucket> Timeline(DateTimeOffset from, DateTimeOffset until, TimeSpan interval)
    {
        var buckets = new List<TimelineBucket>();
        lock (_lock)
        {
            for (var start = from; start < until; start += interval)
            {
                var counts = new long[4];
                foreach (var (minute, values) in _minutes)
                {
                    var at = MinuteStart(minute);
                    if (at >= start && at < start + interval)
                    {
                        for (var i = 0; i < counts.Length; i++)
                        {
                            counts[i] += values[i];
                        }
                    }
                }

                buckets.Add(new TimelineBucket(start, counts[0], counts[1], counts[2], counts[3]));
            }
        }

        return buckets;
    }

    public (long Runs, long Failures, TimeSpan? Average, TimeSpan? P95) ForType(string type)
    {
        lock (_lock)
        {
            if (!_types.TryGetValue(type, out var totals))
            {
                return (0, 0, null, null);
            }

            var samples = totals.Latencies.Order().ToArray();
            TimeSpan? average = samples.Length == 0 ? null : TimeSpan.FromSeconds(samples.Average());
            TimeSpan? p95 = samples.Length == 0 ? null : TimeSpan.FromSeconds(samples[Math.Clamp((int)Math.Ceiling(samples.Length * 0.95) - 1, 0, samples.Length - 1)]);
            return (totals.Runs, totals.Failures, average, p95);
        }
    }

    public IReadOnlyList<HandlerStatistics> Handlers()
    {
        lock (_lock)
        {
            return _handlers
                .OrderBy(h => h.Key.Type, StringComparer.Ordinal).ThenBy(h => h.Key.Handler, StringComparer.Ordinal)
                .Select(h => new HandlerStatistics(h.Key.Type, h.Key.Handler, h.Value.Runs, h.Value.Failures,
                    h.Value.Runs == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(h.Value.Seconds / h.Value.Runs)))
                .ToList();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(string instrument, long count, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? type = null, handler = null, result = null;
        foreach (var (key, tag) in tags)
        {
            switch (key)
            {
                case TypeTag: type = tag as string; break;
                case "eventkit.handler": handler = tag as string; break;
                case "eventkit.result": result = tag as string; break;
            }
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            switch (instrument)
            {
                case "eventkit.events.published": AddToMinute(now, 0, count); break;
                case "eventkit.event.latency":
                    AddToMinute(now, 1, 1);
                    if (type is not null)
                    {
                        Type(type).AddLatency(value);
                    }

                    break;
                case "eventkit.events.retried": AddToMinute(now, 2, count); break;
                case "eventkit.events.dead_lettered": AddToMinute(now, 3, count); break;
                case "eventkit.handler.runs" when type is not null:
                    var failed = result == "failure" ? count : 0;
                    Type(type).Runs += count;
                    Type(type).Failures += failed;
                    LastRunAt = now;
                    break;
                case "eventkit.handler.duration" when type is not null && handler is not null:
                    if (!_handlers.TryGetValue((type, handler), out var totals))
                    {
                        _handlers[(type, handler)] = totals = new HandlerTotals();
                    }

                    totals.Runs++;
                    totals.Failures += result == "failure" ? 1 : 0;
                    totals.Seconds += value;
                    break;
            }
        }
    }

    private TypeTotals Type(string type)
    {
        if (!_types.TryGetValue(type, out var totals))
        {
            _types[type] = totals = new TypeTotals();
        }

        return totals;
    }

    private void AddToMinute(DateTimeOffset now, int index, long count)
    {
        var minute = now.UtcTicks / TimeSpan.TicksPerMinute;
        if (!_minutes.TryGetValue(minute, out var values))
        {
            _minutes[minute] = values = new long[4];
            var oldest = (now - Horizon).UtcTicks / TimeSpan.TicksPerMinute;
            while (_minutes.Count > 0 && _minutes.Keys.First() < oldest)
            {
                _minutes.Remove(_minutes.Keys.First());
            }
        }

        values[index] += count;
    }

    private static DateTimeOffset MinuteStart(long minute) => new(minute * TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private sealed class TypeTotals
    {
        private readonly Queue<double> _latencies = new();

        public long Runs { get; set; }

        public long Failures { get; set; }

        public IEnumerable<double> Latencies => _latencies;

        public void AddLatency(double seconds)
        {
            if (_latencies.Count == LatencySamplesPerType)
            {
                _latencies.Dequeue();
            }

            _latencies.Enqueue(seconds);
        }
    }

    private sealed class HandlerTotals
    {
        public long Runs { get; set; }

        public long Failures { get; set; }

        public double Seconds { get; set; }
    }
}
