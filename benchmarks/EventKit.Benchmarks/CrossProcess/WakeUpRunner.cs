using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using EventKit.Benchmarks.Infrastructure;

namespace EventKit.Benchmarks.CrossProcess;

/// <summary>
/// Commit → handler start across OS processes on one PostgreSQL database (#16 item 1): one process publishes at a steady
/// rate (one event per SaveChanges, processing off, so nothing is handed off in process), two others process; each run
/// once with notifications on and once off, on a fresh database, with the same polling interval. The publisher reports
/// when each SaveChanges returned, the workers when each handler started (<see cref="Stopwatch.GetTimestamp"/>: the
/// machine's monotonic clock, shared by its processes); the report gives p50, p90, p99 and max per variant.
/// <code>
/// dotnet EventKit.Benchmarks.dll wakeup [--events 400] [--rate 20] [--polling 00:00:01] [--warmup 20]
/// </code>
/// The server is EVENTKIT_BENCH_POSTGRES (or EVENTKIT_TEST_POSTGRES), as for the other PostgreSQL cases.
/// </summary>
public static class WakeUpRunner
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string[] args)
    {
        var events = int.Parse(Option(args, "--events") ?? "400", CultureInfo.InvariantCulture);
        var rate = double.Parse(Option(args, "--rate") ?? "20", CultureInfo.InvariantCulture);
        var polling = TimeSpan.Parse(Option(args, "--polling") ?? "00:00:01", CultureInfo.InvariantCulture);
        var warmup = int.Parse(Option(args, "--warmup") ?? "20", CultureInfo.InvariantCulture);

        Console.WriteLine($"# wakeup: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {events} events at {rate}/s (first {warmup} not counted), polling interval {polling}");
        Console.WriteLine("| Notifications | Polling interval | Events | p50 ms | p90 ms | p99 ms | max ms | Handled twice |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var notifications in new[] { true, false })
        {
            await using var database = await BenchDatabase.CreateAsync(StoreKind.Postgres);
            var (latencies, twice) = await RunVariantAsync(database.ConnectionString, notifications, events, rate, polling);
            var counted = latencies.Where(l => l.Seq >= warmup).Select(l => l.Ms).Order().ToArray();
            Console.WriteLine(
                $"| {(notifications ? "on" : "off")} | {polling.TotalMilliseconds:N0} ms | {counted.Length} | {Percentile(counted, 0.50):F1} | {Percentile(counted, 0.90):F1} | " +
                $"{Percentile(counted, 0.99):F1} | {counted[^1]:F1} | {twice} |");
        }

        return 0;
    }

    private static async Task<(List<(int Seq, double Ms)> Latencies, int Twice)> RunVariantAsync(string connection, bool notifications, int events, double rate, TimeSpan polling)
    {
        var committed = new ConcurrentDictionary<int, long>();
        var started = new ConcurrentDictionary<int, long>();
        var twice = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var common = new[] { "--connection", connection, "--notifications", notifications ? "true" : "false" };
        await using var workerA = Child.Start([WakeUpChild.WorkerMode, .. common, "--polling", polling.ToString("c", CultureInfo.InvariantCulture)], OnWorkerLine);
        await using var workerB = Child.Start([WakeUpChild.WorkerMode, .. common, "--polling", polling.ToString("c", CultureInfo.InvariantCulture)], OnWorkerLine);
        await Task.WhenAll(workerA.Ready, workerB.Ready).WaitAsync(Deadline);

        await using (var publisher = Child.Start([WakeUpChild.PublisherMode, .. common, "--events", $"{events}", "--rate", rate.ToString(CultureInfo.InvariantCulture)], OnPublisherLine))
        {
            await publisher.Ready.WaitAsync(Deadline);
            await all.Task.WaitAsync(Deadline);
            await publisher.ExitAsync(Deadline);
        }

        await Task.WhenAll(workerA.ExitAsync(Deadline), workerB.ExitAsync(Deadline));
        var latencies = committed.Select(c => (c.Key, Stopwatch.GetElapsedTime(c.Value, started[c.Key]).TotalMilliseconds)).ToList();
        return (latencies, twice);

        void OnWorkerLine(string[] parts)
        {
            if (parts[0] == "started" && !started.TryAdd(int.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture)))
            {
                Interlocked.Increment(ref twice);
            }

            Check();
        }

        void OnPublisherLine(string[] parts)
        {
            if (parts[0] == "committed")
            {
                committed[int.Parse(parts[1], CultureInfo.InvariantCulture)] = long.Parse(parts[2], CultureInfo.InvariantCulture);
            }

            Check();
        }

        void Check()
        {
            if (started.Count == events && committed.Count == events)
            {
                all.TrySetResult();
            }
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    internal static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
