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
public class PublishBatchBenchmark
{
    public const int BatchSize = 100;

    /// <summary>Batches per operation; results are per event.</summary>
    public const int Batches = 4;

    private const int ResetEvery = 500_000;

    private readonly HandlerProbe _probe = new();
    private readonly OrderPlaced[] _payloads = new OrderPlaced[BatchSize];
    private BenchDatabase? _database;
    private EventKitHost? _host;
    private InMemoryRawOutbox? _memory;
    private int _seq;
    private int _sinceReset;

    [ParamsSource(nameof(Stores))]
    public StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        if (Store != StoreKind.InMemory)
        {
            _database = await BenchDatabase.CreateAsync(Store);
        }

        _memory = new InMemoryRawOutbox();
        _host = new EventKitHost(Store, _database, _probe);
    }

    /// <summary>
    /// The in-memory store and queue keep every event (nothing drains them here): both are replaced once they hold
    /// <see cref="ResetEvery"/> events, inside the measured operation (about 1 ms per half million events, and the
    /// garbage collector's share of dropping them, the same for both methods).
    /// </summary>
    private void ResetMemoryWhenFull()
    {
        if (Store != StoreKind.InMemory || Volatile.Read(ref _sinceReset) < ResetEvery)
        {
            return;
        }

        _sinceReset = 0;
        _host!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _host = new EventKitHost(Store, _database, _probe);
        _memory!.Clear();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchSize * Batches)]
    public async Task Raw()
    {
        ResetMemoryWhenFull();
        _sinceReset += BatchSize * Batches;
        for (var b = 0; b < Batches; b++)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                _payloads[i] = OrderPlaced.Create(++_seq);
            }

            if (_database is null)
            {
                foreach (var payload in _payloads)
                {
                    _memory!.Publish(payload);
                }

                continue;
            }

            await _database.Raw.InsertEventsAsync(_payloads, DateTime.UtcNow);
        }
    }

    /// <summary>The target of #13 item 2: one INSERT statement per event (a round trip each) in one transaction.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public async Task RawOneByOne()
    {
        ResetMemoryWhenFull();
        _sinceReset += BatchSize * Batches;
        for (var b = 0; b < Batches; b++)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                _payloads[i] = OrderPlaced.Create(++_seq);
            }

            if (_database is null)
            {
                foreach (var payload in _payloads)
                {
                    _memory!.Publish(payload);
                }

                continue;
            }

            await _database.Raw.InsertEventsOneByOneAsync(_payloads, DateTime.UtcNow);
        }
    }

    /// <summary>
    /// The target of #13 item 2 as the issue measured it ("100 statements in one transaction"): 100 single-row INSERTs sent as
    /// one batch in one transaction on PostgreSQL (what EF Core sends); on SQLite the same as <see cref="RawOneByOne"/>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public async Task RawStatementBatch()
    {
        ResetMemoryWhenFull();
        _sinceReset += BatchSize * Batches;
        for (var b = 0; b < Batches; b++)
        {
            for (var i = 0; i < BatchSize; i++)
            {
                _payloads[i] = OrderPlaced.Create(++_seq);
            }

            if (_database is null)
            {
                foreach (var payload in _payloads)
                {
                    _memory!.Publish(payload);
                }

                continue;
            }

            await _database.Raw.InsertEventsStatementBatchAsync(_payloads, DateTime.UtcNow);
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public Task EventKit() => Publish(_host!, many: false);

    /// <summary>The same batch through <c>PublishManyAsync</c>.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public Task EventKitMany() => Publish(_host!, many: true);

    private async Task Publish(EventKitHost host, bool many)
    {
        ResetMemoryWhenFull();
        _sinceReset += BatchSize * Batches;
        for (var b = 0; b < Batches; b++)
        {
            var scope = host.Services.CreateAsyncScope();
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

                if (_database is not null)
                {
                    await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync();
                }
            }
        }
    }
}
