using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;

namespace EventKit.Benchmarks;

/// <summary>
/// Workload 3, drain a backlog: <see cref="Backlog"/> pending events exist when the operation starts (created in
/// [IterationSetup] with raw SQL, not measured); the operation ends when all are completed.
/// <para>
/// EventKit runs <see cref="Concurrency"/> processors (each its own lease owner, as separate instances are) exactly
/// as the hosted service runs one: the streaming pipeline of claim loop, workers and outcome writer. The operation
/// ends when the store has recorded every outcome. Options are the defaults except <c>BatchSize</c>
/// (so <c>MaxConcurrency</c> = 8 workers per processor).
/// </para>
/// <para>
/// The baseline runs the same number of loops of: claim <see cref="BatchSize"/> with one UPDATE … RETURNING,
/// deserialize and call the no-op for each row, complete the batch with one UPDATE.
/// </para>
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class DrainBenchmark : StoreBenchmark
{
    /// <summary>Events per backlog; results are per event. The CI smoke run shrinks the backlog (its numbers are not read).</summary>
    public const int Events = 20_000;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    [ParamsSource(nameof(BatchSizes))]
    public int BatchSize { get; set; }

    [ParamsSource(nameof(Concurrencies))]
    public int Concurrency { get; set; }

    public static int Backlog => BenchSettings.Scale(Events, 200);

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    public static IEnumerable<int> BatchSizes() => BenchSettings.Values([10, 100, 1000], [100]);

    public static IEnumerable<int> Concurrencies() => BenchSettings.Values([1, 4], [4]);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await CreateDatabaseAsync();
        Memory = new InMemoryRawOutbox();
    }

    [IterationSetup(Target = nameof(EventKit))]
    public void SetupEventKit() => SetupBacklog(Backlog, o => o.BatchSize = BatchSize);

    [IterationCleanup(Target = nameof(EventKit))]
    public void VerifyEventKit() => VerifyDrained(Backlog);

    [IterationSetup(Target = nameof(Raw))]
    public void SetupRaw()
    {
        if (Database is null)
        {
            Infrastructure.Backlog.Fill(Memory!, Backlog);
        }
        else
        {
            Database.Raw.ResetAsync().GetAwaiter().GetResult();
            Database.Raw.BulkInsertPendingAsync(Backlog, DateTime.UtcNow.AddSeconds(-1)).GetAwaiter().GetResult();
        }
    }

    [IterationCleanup(Target = nameof(Raw))]
    public void VerifyRaw() => VerifyDrained(Backlog, Memory);

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public Task Raw() => RunLoops(async () =>
    {
        Action<OrderPlaced> handler = static _ => { };
        if (Database is null)
        {
            var buffer = new List<(Guid, string)>(BatchSize);
            while (Memory!.ProcessBatch(BatchSize, buffer, handler) > 0)
            {
            }

            return;
        }

        var owner = $"raw/{Guid.NewGuid():N}";
        while (true)
        {
            var now = DateTime.UtcNow;
            var rows = await Database.Raw.ClaimAsync(owner, BatchSize, now, now.AddSeconds(30));
            if (rows.Count == 0)
            {
                return;
            }

            foreach (var row in rows)
            {
                RawOutbox.Dispatch(row, handler);
            }

            await Database.Raw.CompleteAsync(rows, owner, DateTime.UtcNow);
        }
    });

    [Benchmark(OperationsPerInvoke = Events)]
    public Task EventKit() => Host!.RunProcessorsAsync(Concurrency, Backlog);

    private Task RunLoops(Func<Task> loop)
    {
        if (Concurrency == 1)
        {
            return loop();
        }

        var loops = new Task[Concurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = Task.Run(loop);
        }

        return Task.WhenAll(loops);
    }
}
