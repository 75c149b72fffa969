using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks;

/// <summary>
/// Workload 2, publish in batches: one scope publishes <see cref="BatchSize"/> events and commits them with one
/// <c>SaveChanges</c>. The baseline commits the same rows with one multi-row INSERT in one transaction. In memory a
/// batch is 100 publishes (no transaction) against a serialize-and-enqueue loop. No processor runs.
/// </summary>
[MemoryDiagnoser]
public class PublishBatchBenchmark : StoreBenchmark
{
    public const int BatchSize = 100;

    /// <summary>Batches per operation; results are per event.</summary>
    public const int Batches = 4;

    private readonly OrderPlaced[] _payloads = new OrderPlaced[BatchSize];
    private int _seq;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await CreateDatabaseAsync();
        Memory = new InMemoryRawOutbox();
        NewHost();
    }

    /// <summary>One multi-row INSERT per batch in one transaction.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize * Batches)]
    public Task Raw() => RawBatches(static (raw, payloads) => raw.InsertEventsAsync(payloads, DateTime.UtcNow));

    /// <summary>The target of #13 item 2: one INSERT statement per event (a round trip each) in one transaction.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public Task RawOneByOne() => RawBatches(static (raw, payloads) => raw.InsertEventsOneByOneAsync(payloads, DateTime.UtcNow));

    /// <summary>
    /// The target of #13 item 2 as the issue measured it ("100 statements in one transaction"): 100 single-row INSERTs sent as
    /// one batch in one transaction on PostgreSQL (what EF Core sends); on SQLite the same as <see cref="RawOneByOne"/>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public Task RawStatementBatch() => RawBatches(static (raw, payloads) => raw.InsertEventsStatementBatchAsync(payloads, DateTime.UtcNow));

    /// <summary>100 <c>PublishAsync</c> calls and one <c>SaveChanges</c> per batch.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public Task EventKit() => Publish(many: false);

    /// <summary>The same batch through <c>PublishManyAsync</c>.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public Task EventKitMany() => Publish(many: true);

    private async Task RawBatches(Func<RawOutbox, OrderPlaced[], Task> insert)
    {
        ResetMemoryWhenFull(BatchSize * Batches);
        for (var b = 0; b < Batches; b++)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                _payloads[i] = OrderPlaced.Create(++_seq);
            }

            if (Database is null)
            {
                foreach (var payload in _payloads)
                {
                    Memory!.Publish(payload);
                }

                continue;
            }

            await insert(Database.Raw, _payloads);
        }
    }

    private async Task Publish(bool many)
    {
        ResetMemoryWhenFull(BatchSize * Batches);
        for (var b = 0; b < Batches; b++)
        {
            var scope = Host!.Services.CreateAsyncScope();
            await using (scope)
            {
                var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
                if (many)
                {
                    for (var i = 0; i < BatchSize; i++)
                    {
                        _payloads[i] = OrderPlaced.Create(++_seq);
                    }

                    await publisher.PublishManyAsync(_payloads);
                }
                else
                {
                    for (var i = 0; i < BatchSize; i++)
                    {
                        await publisher.PublishAsync(OrderPlaced.Create(++_seq));
                    }
                }

                if (Database is not null)
                {
                    await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync();
                }
            }
        }
    }
}
