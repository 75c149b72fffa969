using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;

namespace EventKit.Benchmarks;

/// <summary>
/// Workload 1, publish per request: each request opens a DI scope, adds one business row (an order) and publishes one
/// event, and commits both in one transaction (<c>SaveChanges</c>). <see cref="Publishers"/> requests run at once.
/// The baseline does the same with ADO.NET: one transaction with an INSERT of the order and an INSERT of the event.
/// In memory there is no transaction and no business row: a request is a scope and a publish, and the baseline
/// serializes and enqueues. No processor runs: this measures publishing only.
/// </summary>
[MemoryDiagnoser]
public class PublishPerRequestBenchmark : StoreBenchmark
{
    /// <summary>Requests per operation, split across the publishers; results are per request (= per event).</summary>
    public const int Requests = 64;

    private int _seq;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    [ParamsSource(nameof(PublisherCounts))]
    public int Publishers { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    public static IEnumerable<int> PublisherCounts() => BenchSettings.Values([1, 8], [8]);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await CreateDatabaseAsync();
        Memory = new InMemoryRawOutbox();
        NewHost();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public Task Raw() => Parallel(async () =>
    {
        var payload = OrderPlaced.Create(Interlocked.Increment(ref _seq));
        if (Database is null)
        {
            Memory!.Publish(payload);
            return;
        }

        await Database.Raw.InsertOrderAndEventAsync(payload, DateTime.UtcNow);
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task EventKit() => Parallel(() => PublishRequestAsync(OrderPlaced.Create(Interlocked.Increment(ref _seq))));

    private Task Parallel(Func<Task> request)
    {
        ResetMemoryWhenFull(Requests);
        var perPublisher = Requests / Publishers;
        if (Publishers == 1)
        {
            return Loop();
        }

        var tasks = new Task[Publishers];
        for (var p = 0; p < tasks.Length; p++)
        {
            tasks[p] = Task.Run(Loop);
        }

        return Task.WhenAll(tasks);

        async Task Loop()
        {
            for (var i = 0; i < perPublisher; i++)
            {
                await request();
            }
        }
    }
}
