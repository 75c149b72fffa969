using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;
using EventKit.EntityFramework.Internal;
using EventKit.EntityFramework.Internal.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks;

/// <summary>
/// Diagnostic: the CPU and allocations of one per-request publish, part by part, with one publisher and commits that do
/// not wait for the disk (<see cref="BenchDatabase.Relaxed"/>: PostgreSQL <c>synchronous_commit=off</c> per session,
/// SQLite <c>synchronous=OFF</c>), so the figures are client and server CPU plus round trips, not fsync. Each method adds
/// one part to the one before it; differences between methods are the parts' costs:
/// <list type="bullet">
/// <item><c>Serialize</c>: the payload to JSON; <c>PublishToNullStore</c>: <see cref="IEventPublisher.PublishAsync{TPayload}(TPayload, PublishOptions?, CancellationToken)"/>
/// (validation, serialization, id, record) into a store that keeps nothing; <c>EventEntityFromRecord</c>: the EF row from the record.</item>
/// <item><c>Scope</c> / <c>ScopePooled</c>: a DI scope and the application's context (<c>AddDbContext</c> / <c>AddDbContextPool</c>), nothing else.</item>
/// <item><c>TrackOrder</c>: + the order added and <c>DetectChanges</c>; <c>TrackOrderAndEvent</c>: + EventKit's publish into the same context.</item>
/// <item><c>SaveOrder</c>: the order alone through <c>SaveChanges</c> (the bar: an event may add at most 10 % to it);
/// <c>SaveOrderAndEvent</c>: the same with EventKit's event; <c>SaveOrderAndEventWithKey</c>: with an idempotency key
/// (one lookup query more); the <c>Pooled</c> variants with <c>AddDbContextPool</c>.</item>
/// <item><c>Raw</c> (baseline): order and event in one ADO.NET transaction; <c>RawOrder</c>: the order alone.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class PublishCpuBreakdownBenchmark
{
    public const int Requests = 64;

    private readonly HandlerProbe _probe = new();
    private BenchDatabase? _database;
    private EventKitHost? _host;
    private EventKitHost? _pooledHost;
    private EventKitHost? _lean;
    private EventKitHost? _statement;
    private EventKitHost? _statementPooled;
    private IServiceProvider? _nullStore;
    private int _seq;

    [ParamsSource(nameof(Stores))]
    public StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.DatabaseStores();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _database = await BenchDatabase.CreateAsync(Store, relaxed: true);
        _host = new EventKitHost(Store, _database, _probe);
        _pooledHost = new EventKitHost(Store, _database, _probe, pooled: true);
        _lean = new EventKitHost(Store, _database, _probe, configureServices: EventKitHost.Path(PublishPath.LeanChangeTracker));
        _statement = new EventKitHost(Store, _database, _probe, configureServices: EventKitHost.Path(PublishPath.Statement));
        _statementPooled = new EventKitHost(Store, _database, _probe, pooled: true, configureServices: EventKitHost.Path(PublishPath.Statement));
        var services = new ServiceCollection().AddLogging();
        services.AddEventKit();
        services.AddSingleton<IEventStore, NullEventStore>();
        _nullStore = services.BuildServiceProvider();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var host in new[] { _host, _pooledHost, _lean, _statement, _statementPooled })
        {
            if (host is not null)
            {
                await host.DisposeAsync();
            }
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public async Task Raw()
    {
        for (var i = 0; i < Requests; i++)
        {
            await _database!.Raw.InsertOrderAndEventAsync(OrderPlaced.Create(++_seq), DateTime.UtcNow);
        }
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public async Task RawOrder()
    {
        for (var i = 0; i < Requests; i++)
        {
            await _database!.Raw.InsertOrderAsync(OrderPlaced.Create(++_seq), DateTime.UtcNow);
        }
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public int Serialize()
    {
        var length = 0;
        for (var i = 0; i < Requests; i++)
        {
            length += RawOutbox.Serialize(OrderPlaced.Create(++_seq)).Length;
        }

        return length;
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public async Task PublishToNullStore()
    {
        for (var i = 0; i < Requests; i++)
        {
            var scope = _nullStore!.CreateAsyncScope();
            await using (scope)
            {
                await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(OrderPlaced.Create(++_seq));
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public int EventEntityFromRecord()
    {
        var length = 0;
        for (var i = 0; i < Requests; i++)
        {
            var payload = OrderPlaced.Create(++_seq);
            var now = DateTimeOffset.UtcNow;
            var record = new EventRecord
            {
                Id = Guid.CreateVersion7(),
                Type = OrderPlaced.EventType,
                Entity = OrderPlaced.Entity,
                EntityId = payload.OrderId.ToString(),
                Payload = "{}",
                AvailableAt = now,
                CreatedAt = now,
            };
            length += EventEntity.From(record).EntityId.Length;
        }

        return length;
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task Scope() => Requests_(_host!, async (scope, db, payload) => await Task.CompletedTask);

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task ScopePooled() => Requests_(_pooledHost!, async (scope, db, payload) => await Task.CompletedTask);

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task TrackOrder() => Requests_(_host!, (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        db.ChangeTracker.DetectChanges();
        return Task.CompletedTask;
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task TrackOrderAndEvent() => Requests_(_host!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await scope.GetRequiredService<IEventPublisher>().PublishAsync(payload);
        db.ChangeTracker.DetectChanges();
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrder() => Requests_(_host!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await db.SaveChangesAsync();
    });

    /// <summary>The order alone, but in a transaction EF opens and commits (what a second row makes EF do).</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderInTransaction() => Requests_(_host!, async (scope, db, payload) =>
    {
        db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        db.Orders.Add(NewOrder(payload));
        await db.SaveChangesAsync();
    });

    /// <summary>Two business rows (a second, 4-column row instead of the 17-column event).</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveTwoOrders() => Requests_(_host!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        db.Orders.Add(new Order { Id = Guid.CreateVersion7(), Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    });

    /// <summary>The order and an outbox row added by hand (EventKit's entity, no EventKit service).</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderAndHandEvent() => Requests_(_host!, async (scope, db, payload) =>
    {
        var now = DateTime.UtcNow;
        db.Orders.Add(NewOrder(payload));
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
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderAndEvent() => Requests_(_host!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await scope.GetRequiredService<IEventPublisher>().PublishAsync(payload);
        await db.SaveChangesAsync();
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task TrackOrderAndEventStatement() => Requests_(_statement!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await scope.GetRequiredService<IEventPublisher>().PublishAsync(payload);
        db.ChangeTracker.DetectChanges();
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderAndEventLean() => Requests_(_lean!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await scope.GetRequiredService<IEventPublisher>().PublishAsync(payload);
        await db.SaveChangesAsync();
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderAndEventStatement() => Requests_(_statement!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await scope.GetRequiredService<IEventPublisher>().PublishAsync(payload);
        await db.SaveChangesAsync();
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderAndEventStatementPooled() => Requests_(_statementPooled!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await scope.GetRequiredService<IEventPublisher>().PublishAsync(payload);
        await db.SaveChangesAsync();
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderAndEventWithKey() => Requests_(_host!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await scope.GetRequiredService<IEventPublisher>().PublishAsync(payload, new PublishOptions { IdempotencyKey = "k-" + payload.OrderId.ToString() });
        await db.SaveChangesAsync();
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderPooled() => Requests_(_pooledHost!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await db.SaveChangesAsync();
    });

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task SaveOrderAndEventPooled() => Requests_(_pooledHost!, async (scope, db, payload) =>
    {
        db.Orders.Add(NewOrder(payload));
        await scope.GetRequiredService<IEventPublisher>().PublishAsync(payload);
        await db.SaveChangesAsync();
    });

    private static Order NewOrder(OrderPlaced payload) =>
        new() { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow };

    private async Task Requests_(EventKitHost host, Func<IServiceProvider, BenchDbContext, OrderPlaced, Task> request)
    {
        for (var i = 0; i < Requests; i++)
        {
            var payload = OrderPlaced.Create(++_seq);
            var scope = host.Services.CreateAsyncScope();
            await using (scope)
            {
                await request(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<BenchDbContext>(), payload);
            }
        }
    }

    private sealed class NullEventStore : IEventStore
    {
        public ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default) => ValueTask.FromResult(record.Id);

        public ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<EventTypeCount>> CountByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<int> RequeueAsync(Guid? eventId, string? type, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
