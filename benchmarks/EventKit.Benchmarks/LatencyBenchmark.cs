using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks;

/// <summary>
/// Commit → handler-start latency with an in-process publisher and an idle processor. The operation publishes and
/// commits one event (with its business row) and waits until its handler has started, so Mean is the full round
/// trip. The commit → handler-start part of every operation (but those of the first invocation, which include JIT)
/// is recorded separately and reported in the p50/p95/p99 columns: BenchmarkDotNet's own percentiles are over
/// iteration means, not over single events. Each iteration runs <see cref="LatencyJobConfig.Operations"/> operations.
/// EventKit runs its hosted services with default options (the processor waits for the commit interceptor's
/// signal); the baseline consumer waits for an in-process signal the raw publisher sends after its commit.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(LatencyJobConfig))]
public class LatencyBenchmark
{
    private readonly HandlerProbe _probe = new();
    private readonly LatencyRecorder _latencies = new();
    private BenchDatabase? _database;
    private EventKitHost? _host;
    private InMemoryRawOutbox? _memory;
    private WakeSignal? _signal;
    private RawConsumer? _consumer;
    private string? _method;
    private int _operations;

    [ParamsSource(nameof(Stores))]
    public StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    [GlobalSetup(Target = nameof(EventKit))]
    public async Task SetupEventKitAsync()
    {
        if (Store != StoreKind.InMemory)
        {
            _database = await BenchDatabase.CreateAsync(Store);
        }

        _host = new EventKitHost(Store, _database, _probe);
        await _host.StartAsync();
    }

    [GlobalSetup(Target = nameof(Raw))]
    public async Task SetupRawAsync()
    {
        if (Store == StoreKind.InMemory)
        {
            _memory = new InMemoryRawOutbox();
            _consumer = RawConsumer.Start(_memory, _probe);
            return;
        }

        _database = await BenchDatabase.CreateAsync(Store);
        _signal = new WakeSignal();
        _consumer = RawConsumer.Start(_database.Raw, _signal, _probe);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_method is not null)
        {
            CaseMetrics.Write(CaseMetrics.Key(nameof(LatencyBenchmark), _method, [(nameof(Store), Store)]), _latencies.ToMetrics());
        }

        if (_consumer is not null)
        {
            await _consumer.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true)]
    public Task Raw() => RoundTripAsync(nameof(Raw), async payload =>
    {
        if (_database is null)
        {
            _memory!.Publish(payload);
            return;
        }

        await _database.Raw.InsertOrderAndEventAsync(payload, DateTime.UtcNow);
        _signal!.Notify();
    });

    [Benchmark]
    public Task EventKit() => RoundTripAsync(nameof(EventKit), async payload =>
    {
        var scope = _host!.Services.CreateAsyncScope();
        await using (scope)
        {
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            if (_database is null)
            {
                await publisher.PublishAsync(payload);
                return;
            }

            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            db.Orders.Add(new Order { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow });
            await publisher.PublishAsync(payload);
            await db.SaveChangesAsync();
        }
    });

    private async Task RoundTripAsync(string method, Func<OrderPlaced, Task> commit)
    {
        _method = method;
        _probe.Expect(1);
        await commit(OrderPlaced.Create(0));
        _probe.Committed(0);
        await _probe.Done;

        // The first operations pay for JIT and connection warm-up; they are not part of the percentiles.
        if (++_operations > 5)
        {
            _probe.CopyLatencies(1, _latencies);
        }
    }
}
