using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;
using EventKit.EntityFramework.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks;

/// <summary>
/// Where the per-request publish time goes (diagnostic companion of <see cref="PublishPerRequestBenchmark"/>,
/// database stores, 8 publishers): <c>Raw</c> is the ADO.NET transaction; <c>EfCoreOnly</c> is the same request
/// through EF Core as an application writes it (a DI scope, the <c>AddDbContext</c> context, the order and an
/// outbox row added by hand, <c>SaveChanges</c>) with no EventKit service, interceptor or publisher; <c>EventKit</c>
/// is <see cref="PublishPerRequestBenchmark"/>'s request. EfCoreOnly − Raw is EF Core's share, EventKit − EfCoreOnly
/// is EventKit's own. #13's bar is EventKit ÷ EfCoreNoEvent (at most 1.1×); RawOneRoundTrip ÷ RawOrderNoEvent is what
/// the same row costs a hand-written loop, in the same run.
/// </summary>
[MemoryDiagnoser]
public class PublishCostBreakdownBenchmark : StoreBenchmark
{
    public const int Requests = 64;
    public const int Publishers = 8;

    private EventKitHost? _pooled;
    private ServiceProvider? _efOnly;
    private ServiceProvider? _efOnlyPooled;
    private int _seq;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.DatabaseStores();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await CreateDatabaseAsync();
        NewHost();
        _pooled = new EventKitHost(Store, Database, Probe, pooled: true);
        var services = new ServiceCollection().AddLogging();
        Database!.AddContext(services);
        _efOnly = services.BuildServiceProvider();
        var pooledServices = new ServiceCollection().AddLogging();
        Database.AddContext(pooledServices, pooled: true);
        _efOnlyPooled = pooledServices.BuildServiceProvider();
    }

    private protected override async Task CleanupOwnAsync()
    {
        if (_efOnly is not null)
        {
            await _efOnly.DisposeAsync();
        }

        if (_efOnlyPooled is not null)
        {
            await _efOnlyPooled.DisposeAsync();
        }

        if (_pooled is not null)
        {
            await _pooled.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public Task Raw() => Parallel(() => Database!.Raw.InsertOrderAndEventAsync(OrderPlaced.Create(Interlocked.Increment(ref _seq)), DateTime.UtcNow));

    /// <summary>
    /// The raw loop's own price of the event row: the order alone through ADO.NET (one statement, no transaction).
    /// <c>Raw</c> ÷ this is what a hand-written outbox pays for its row, beside #13's bar for EventKit (EventKit ÷ EfCoreNoEvent).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task RawOrderNoEvent() => Parallel(() => Database!.Raw.InsertOrderAsync(OrderPlaced.Create(Interlocked.Increment(ref _seq)), DateTime.UtcNow));

    /// <summary>The order and the event row in one round trip and the statements' implicit transaction, as EventKit writes them on PostgreSQL (SQLite: the same as <c>Raw</c>).</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task RawOneRoundTrip() => Parallel(() => Database!.Raw.InsertOrderAndEventOneRoundTripAsync(OrderPlaced.Create(Interlocked.Increment(ref _seq)), DateTime.UtcNow));

    /// <summary>The bar of #13: the same request's <c>SaveChanges</c> without any event (the order alone).</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task EfCoreNoEvent() => NoEvent(_efOnly!);

    /// <summary>The bar with <c>AddDbContextPool</c>.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task EfCoreNoEventPooled() => NoEvent(_efOnlyPooled!);

    private Task NoEvent(IServiceProvider services) => Parallel(async () =>
    {
        var payload = OrderPlaced.Create(Interlocked.Increment(ref _seq));
        var scope = services.CreateAsyncScope();
        await using (scope)
        {
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            db.Orders.Add(new Order { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task EfCoreOnly() => Parallel(async () =>
    {
        var payload = OrderPlaced.Create(Interlocked.Increment(ref _seq));
        var scope = _efOnly!.CreateAsyncScope();
        await using (scope)
        {
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            var now = DateTime.UtcNow;
            db.Orders.Add(new Order { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = now });
            db.Add(new EventEntity
            {
                Id = Guid.CreateVersion7(),
                Type = OrderPlaced.EventType,
                Entity = OrderPlaced.Entity,
                EntityId = payload.OrderId.ToString(),
                Payload = RawOutbox.Serialize(payload),
                Status = EventStatus.Pending,
                AvailableAt = now,
                CreatedAt = now,
            });
            await db.SaveChangesAsync();
        }
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task EventKit() => Request(Host!);

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task EventKitPooled() => Request(_pooled!);

    private Task Request(EventKitHost host) => Parallel(async () =>
    {
        var payload = OrderPlaced.Create(Interlocked.Increment(ref _seq));
        var scope = host.Services.CreateAsyncScope();
        await using (scope)
        {
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            db.Orders.Add(new Order { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow });
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(payload);
            await db.SaveChangesAsync();
        }
    });

    private static Task Parallel(Func<Task> request)
    {
        var tasks = new Task[Publishers];
        for (var p = 0; p < tasks.Length; p++)
        {
            tasks[p] = Task.Run(async () =>
            {
                for (var i = 0; i < Requests / Publishers; i++)
                {
                    await request();
                }
            });
        }

        return Task.WhenAll(tasks);
    }
}
