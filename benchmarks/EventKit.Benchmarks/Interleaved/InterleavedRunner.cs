using System.Diagnostics;
using System.Globalization;
using EventKit.Benchmarks.Infrastructure;
using EventKit.EntityFramework.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks.Interleaved;

/// <summary>
/// A diagnostic runner for this noisy 2-core machine (#13 research): BenchmarkDotNet runs one method's iterations
/// after another's, so a load spike from another build lands on one variant only. This runner interleaves them: each
/// round runs one block of every variant (in a rotated order), so the per-round ratio of two variants compares blocks a
/// few hundred milliseconds apart; the report gives the median over rounds of those ratios, the median time per event,
/// the client process's CPU per event (<see cref="Process.TotalProcessorTime"/>, all threads) and the bytes allocated
/// per event (<see cref="GC.GetTotalAllocatedBytes(bool)"/>).
/// <code>
/// dotnet EventKit.Benchmarks.dll interleave per-request [--stores Postgres,Sqlite] [--rounds 15] [--publishers 8] [--requests 64] [--relaxed]
/// dotnet EventKit.Benchmarks.dll interleave batch [--stores …] [--rounds 15]
/// </code>
/// </summary>
public static class InterleavedRunner
{
    /// <summary>The variant whose measured block runs (flows into its publishers), for <see cref="RequestTimes"/>; null while warming up.</summary>
    private static readonly AsyncLocal<string?> Measured = new();

    /// <summary>Per variant, each request's duration in ms (scope to commit) during measured blocks of per-request variants.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentQueue<double>> RequestTimes = new();

    public static async Task<int> RunAsync(string[] args)
    {
        var scenario = args.Length > 0 ? args[0] : "per-request";
        var stores = Option(args, "--stores")?.Split(',').Select(s => Enum.Parse<StoreKind>(s, ignoreCase: true)).ToArray()
            ?? [.. BenchSettings.DatabaseStores()];
        var rounds = int.Parse(Option(args, "--rounds") ?? "15", CultureInfo.InvariantCulture);
        var publishers = int.Parse(Option(args, "--publishers") ?? "8", CultureInfo.InvariantCulture);
        var requests = int.Parse(Option(args, "--requests") ?? "64", CultureInfo.InvariantCulture);
        var relaxed = args.Contains("--relaxed");
        var only = Option(args, "--only")?.Split(',');

        Console.WriteLine($"# interleave {scenario}: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, rounds {rounds}, publishers {publishers}, requests/block {requests}, relaxed durability {relaxed}, load {LoadAverage()}");
        foreach (var store in stores)
        {
            await using var database = await BenchDatabase.CreateAsync(store, relaxed);
            if (scenario == "allocs")
            {
                Console.WriteLine("| Store | Path | Scope + context | Add order | Resolve publisher | PublishAsync | SaveChanges | Dispose scope | Total |");
                Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
                await AllocationProbe.RunAsync(store, database);
                continue;
            }

            // The end-to-end variants run on a database of their own: a processor there never sees the other variants' events.
            await using var endToEnd = await BenchDatabase.CreateAsync(store, relaxed);
            var variants = scenario == "batch" ? BatchVariants(database) : PerRequestVariants(database, endToEnd, publishers, requests);
            if (only is not null)
            {
                variants = [.. variants.Where(v => only.Contains(v.Name) || v.Name is "Raw" or "RawOrderNoEvent" or "RawOneRoundTrip" or "EfCoreNoEvent" or "EfCoreNoEventPooled" or "RawOneByOne" or "RawStatementBatch")];
            }

            try
            {
                await RunStoreAsync(store, variants, rounds, scenario == "batch" ? 400 : requests, scenario == "batch" ? "RawStatementBatch" : "EfCoreNoEvent");
            }
            finally
            {
                foreach (var variant in variants)
                {
                    await variant.DisposeAsync();
                }
            }
        }

        return 0;
    }

    private static async Task RunStoreAsync(StoreKind store, List<Variant> variants, int rounds, int eventsPerBlock, string second)
    {
        // Warm-up: JIT, connection pools, EF models, two blocks each.
        for (var w = 0; w < 2; w++)
        {
            foreach (var variant in variants)
            {
                await variant.Block();
            }
        }

        var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var cpu = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var bytes = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var serverTicks = variants.ToDictionary(v => v.Name, _ => 0L);
        var process = Process.GetCurrentProcess();
        var started = Stopwatch.StartNew();
        for (var r = 0; r < rounds; r++)
        {
            for (var i = 0; i < variants.Count; i++)
            {
                var variant = variants[(i + r) % variants.Count];
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                var server0 = store == StoreKind.Postgres ? ServerCpuTicks() : 0;
                var alloc0 = GC.GetTotalAllocatedBytes(precise: false);
                var t0 = Stopwatch.GetTimestamp();
                Measured.Value = variant.Name;
                await variant.Block();
                Measured.Value = null;
                var elapsed = Stopwatch.GetElapsedTime(t0);
                var alloc1 = GC.GetTotalAllocatedBytes(precise: false);
                process.Refresh();
                serverTicks[variant.Name] += store == StoreKind.Postgres ? ServerCpuTicks() - server0 : 0;
                times[variant.Name].Add(elapsed.TotalMicroseconds / eventsPerBlock);
                cpu[variant.Name].Add((process.TotalProcessorTime - cpu0).TotalMicroseconds / eventsPerBlock);
                bytes[variant.Name].Add((double)(alloc1 - alloc0) / eventsPerBlock);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"## {store} ({started.Elapsed.TotalSeconds:F0} s, load {LoadAverage()})");
        Console.WriteLine();
        var secondIsRaw = second.StartsWith("Raw", StringComparison.Ordinal);
        Console.WriteLine($"| Variant | Median µs/event | Events/s | Throughput vs Raw | {(secondIsRaw ? $"Throughput vs {second}" : $"Time vs {second} (pooled: vs {second}Pooled)")} | Client CPU µs/event | Server CPU µs/event | Alloc/event | Request p50 / p95 (ms) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var variant in variants)
        {
            var name = variant.Name;
            var median = Median(times[name]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {median:F1} | {1_000_000 / median:N0} | {RatioVs("Raw", name, times, inverse: true)} | {RatioVs(!secondIsRaw && name.EndsWith("Pooled", StringComparison.Ordinal) && times.ContainsKey(second + "Pooled") ? second + "Pooled" : second, name, times, inverse: secondIsRaw)} | {Median(cpu[name]):F1} | {(store == StoreKind.Postgres ? (serverTicks[name] * 10_000.0 / (rounds * eventsPerBlock)).ToString("F0", CultureInfo.InvariantCulture) : "-")} | {Median(bytes[name]) / 1024:F1} KB | {RequestPercentiles(name)} |"));
        }
    }

    // Throughput ratio vs the raw loop (raw time / variant time: 0.80x = 80 % of the raw loop's events/s); time ratio vs
    // the EF Core bar (variant time / bar time: 1.10x = 10 % slower), each the median over rounds.
    private static string RatioVs(string reference, string name, Dictionary<string, List<double>> times, bool inverse)
    {
        if (!times.TryGetValue(reference, out var refs))
        {
            return "-";
        }

        var ratios = refs.Zip(times[name], (r, v) => inverse ? r / v : v / r).ToList();
        return Median(ratios).ToString("0.00", CultureInfo.InvariantCulture) + "x";
    }

    private static string RequestPercentiles(string name)
    {
        if (!RequestTimes.TryGetValue(name, out var queue) || queue.IsEmpty)
        {
            return "-";
        }

        var sorted = queue.Order().ToList();
        double At(double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        return string.Create(CultureInfo.InvariantCulture, $"{At(0.5):F2} / {At(0.95):F2}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>
    /// CPU time (user + system, in clock ticks of 10 ms) of every local process named <c>postgres</c> (server and
    /// backends): the database's share of the same 2 cores, summed per variant over all rounds. Work that spills past
    /// a block's end (an end-to-end block ends when every handler has started, before the last settle) is counted in
    /// the next block, whichever variant runs it.
    /// </summary>
    private static long ServerCpuTicks()
    {
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).EndsWith("(postgres", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return ticks;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static List<Variant> PerRequestVariants(BenchDatabase database, BenchDatabase endToEnd, int publishers, int requests)
    {
        var probe = new HandlerProbe();
        var seq = 0;
        OrderPlaced Next() => OrderPlaced.Create(Interlocked.Increment(ref seq));
        Func<Task> Parallel(Func<Task> request)
        {
            var warm = false;
            return async () =>
            {
                // One request alone first: EF Core builds a model on first use, and 8 first uses at once can race.
                if (!warm)
                {
                    warm = true;
                    await request();
                }

                await Publishers(request);
            };
        }

        async Task Publishers(Func<Task> request)
        {
            var tasks = new Task[publishers];
            for (var p = 0; p < publishers; p++)
            {
                tasks[p] = Task.Run(async () =>
                {
                    var times = Measured.Value is { } measured ? RequestTimes.GetOrAdd(measured, _ => new()) : null;
                    for (var i = 0; i < requests / publishers; i++)
                    {
                        var t0 = Stopwatch.GetTimestamp();
                        await request();
                        times?.Enqueue(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                });
            }

            await Task.WhenAll(tasks);
        }

        ServiceProvider EfOnly(bool pooled)
        {
            var services = new ServiceCollection().AddLogging();
            database.AddContext(services, pooled);
            return services.BuildServiceProvider();
        }

        Variant NoEvent(string name, ServiceProvider services) => new(name, Parallel(async () =>
        {
            var payload = Next();
            var scope = services.CreateAsyncScope();
            await using (scope)
            {
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                db.Orders.Add(NewOrder(payload));
                await db.SaveChangesAsync();
            }
        }), services.DisposeAsync);

        // A request through EventKit: a scope, the order row, PublishAsync, SaveChanges.
        async Task EventKitRequest(EventKitHost host)
        {
            var payload = Next();
            var scope = host.Services.CreateAsyncScope();
            await using (scope)
            {
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                db.Orders.Add(NewOrder(payload));
                await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(payload);
                await db.SaveChangesAsync();
            }
        }

        Variant EventKit(string name, EventKitHost host) => new(name, Parallel(() => EventKitRequest(host)), host.DisposeAsync);

        // End to end: the same requests with the host's processor running; a block ends when every handler started.
        Variant Processing(string name, EventKitHost host)
        {
            var started = false;
            Task Request() => EventKitRequest(host);

            return new(name, async () =>
            {
                var count = requests / publishers * publishers;
                if (!started)
                {
                    // As Parallel's warm-up: one request alone first, its event counted with the block's.
                    started = true;
                    await host.StartAsync();
                    probe.Expect(count + 1);
                    await Request();
                }
                else
                {
                    probe.Expect(count);
                }

                await Publishers(Request);
                await probe.Done;
            }, host.DisposeAsync);
        }

        var handEvent = EfOnly(pooled: false);
        return
        [
            new("Raw", Parallel(() => database.Raw.InsertOrderAndEventAsync(Next(), DateTime.UtcNow)), () => ValueTask.CompletedTask),
            new("RawOrderNoEvent", Parallel(() => database.Raw.InsertOrderAsync(Next(), DateTime.UtcNow)), () => ValueTask.CompletedTask),
            new("RawOneRoundTrip", Parallel(() => database.Raw.InsertOrderAndEventOneRoundTripAsync(Next(), DateTime.UtcNow)), () => ValueTask.CompletedTask),
            NoEvent("EfCoreNoEvent", EfOnly(pooled: false)),
            NoEvent("EfCoreNoEventPooled", EfOnly(pooled: true)),
            new("EfCoreHandEvent", Parallel(async () =>
            {
                var payload = Next();
                var scope = handEvent.CreateAsyncScope();
                await using (scope)
                {
                    var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                    var now = DateTime.UtcNow;
                    db.Orders.Add(NewOrder(payload));
                    db.Add(new EventEntity
                    {
                        Id = Guid.CreateVersion7(), Type = OrderPlaced.EventType, Entity = OrderPlaced.Entity, EntityId = payload.OrderId.ToString(),
                        Payload = RawOutbox.Serialize(payload), Status = EventStatus.Pending, AvailableAt = now, CreatedAt = now,
                    });
                    await db.SaveChangesAsync();
                }
            }), handEvent.DisposeAsync),
            EventKit("EventKit", new EventKitHost(database.Store, database, probe)),
            EventKit("EventKitPooled", new EventKitHost(database.Store, database, probe, pooled: true)),
            Processing("EventKitEndToEnd", new EventKitHost(endToEnd.Store, endToEnd, probe)),
            Processing("EventKitEndToEndPooled", new EventKitHost(endToEnd.Store, endToEnd, probe, pooled: true)),
        ];
    }

    private static List<Variant> BatchVariants(BenchDatabase database)
    {
        const int BatchSize = 100;
        const int Batches = 4;
        var probe = new HandlerProbe();
        var seq = 0;
        OrderPlaced[] NextBatch()
        {
            var payloads = new OrderPlaced[BatchSize];
            for (var i = 0; i < payloads.Length; i++)
            {
                payloads[i] = OrderPlaced.Create(Interlocked.Increment(ref seq));
            }

            return payloads;
        }

        Func<Task> Times(Func<Task> batch) => async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                await batch();
            }
        };

        Variant EventKit(string name, EventKitHost host, bool many) => new(name, Times(async () =>
        {
            var scope = host.Services.CreateAsyncScope();
            await using (scope)
            {
                var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
                var payloads = NextBatch();
                if (many)
                {
                    await publisher.PublishManyAsync(payloads);
                }
                else
                {
                    foreach (var payload in payloads)
                    {
                        await publisher.PublishAsync(payload);
                    }
                }

                await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync();
            }
        }), host.DisposeAsync);

        var plain = new EventKitHost(database.Store, database, probe);
        return
        [
            new("Raw", Times(() => database.Raw.InsertEventsAsync(NextBatch(), DateTime.UtcNow)), () => ValueTask.CompletedTask),
            new("RawOneByOne", Times(() => database.Raw.InsertEventsOneByOneAsync(NextBatch(), DateTime.UtcNow)), () => ValueTask.CompletedTask),
            new("RawStatementBatch", Times(() => database.Raw.InsertEventsStatementBatchAsync(NextBatch(), DateTime.UtcNow)), () => ValueTask.CompletedTask),
            EventKit("EventKit", plain, many: false),
            EventKit("EventKitMany", plain, many: true),
        ];
    }

    private static Order NewOrder(OrderPlaced payload) =>
        new() { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow };

    private sealed record Variant(string Name, Func<Task> Block, Func<ValueTask> Dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Dispose();
    }
}
