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

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize * Batches)]
    public async Task Raw()
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

            await Database.Raw.InsertEventsAsync(_payloads, DateTime.UtcNow);
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public async Task EventKit()
    {
        ResetMemoryWhenFull(BatchSize * Batches);
        for (var b = 0; b < Batches; b++)
        {
            var scope = Host!.Services.CreateAsyncScope();
            await using (scope)
            {
                var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
                for (var i = 0; i < BatchSize; i++)
                {
                    await publisher.PublishAsync(OrderPlaced.Create(++_seq));
                }

                if (Database is not null)
                {
                    await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync();
                }
            }
        }
    }
}
