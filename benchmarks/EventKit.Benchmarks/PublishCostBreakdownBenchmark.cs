using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;
using EventKit.EntityFramework.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks;

/// <summary>
/// Where the per-request publish time goes (diagnostic companion of <see cref="PublishPerRequestBenchmark"/>,
/// database stores, 8 publishers): <c>Raw</c> is the ADO.NET transaction; <c>EfCoreOnly</c> is the same request
/// through EF Core as an application writes it (a DI scope, the <c>AddDbContext</c> context, the order and an
/// outbox row added by hand, <c>SaveChanges</c>) with no EventKit service, interceptor or publisher; <c>EventKit</c>
/// is <see cref="PublishPerRequestBenchmark"/>'s request. EfCoreOnly − Raw is EF Core's share, EventKit − EfCoreOnly
/// is EventKit's own.
/// </summary>
[MemoryDiagnoser]
public class PublishCostBreakdownBenchmark : StoreBenchmark
{
    public const int Requests = 64;
    public const int Publishers = 8;

    private ServiceProvider? _efOnly;
    private int _seq;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.DatabaseStores();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        await CreateDatabaseAsync();
        NewHost();
        var services = new ServiceCollection().AddLogging();
        if (Store == StoreKind.Sqlite)
        {
            services.AddDbContext<SqliteBenchDbContext>(o => SqliteBusyTimeout.Apply(o, Database!.ConnectionString));
            services.AddScoped<BenchDbContext>(sp => sp.GetRequiredService<SqliteBenchDbContext>());
        }
        else
        {
            services.AddDbContext<PostgresBenchDbContext>(o => o.UseNpgsql(Database!.ConnectionString));
            services.AddScoped<BenchDbContext>(sp => sp.GetRequiredService<PostgresBenchDbContext>());
        }

        _efOnly = services.BuildServiceProvider();
    }

    private protected override async Task CleanupOwnAsync()
    {
        if (_efOnly is not null)
        {
            await _efOnly.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public Task Raw() => Parallel(() => Database!.Raw.InsertOrderAndEventAsync(OrderPlaced.Create(Interlocked.Increment(ref _seq)), DateTime.UtcNow));

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
    public Task EventKit() => Parallel(async () =>
    {
        var payload = OrderPlaced.Create(Interlocked.Increment(ref _seq));
        var scope = Host!.Services.CreateAsyncScope();
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
