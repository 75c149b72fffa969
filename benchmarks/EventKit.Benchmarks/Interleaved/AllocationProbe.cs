using EventKit.Benchmarks.Infrastructure;
using EventKit.EntityFramework.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks.Interleaved;

/// <summary>
/// Diagnostic (#13): bytes allocated by each step of one per-request publish, one request at a time (so
/// <see cref="GC.GetTotalAllocatedBytes(bool)"/> deltas belong to that step), averaged over many requests.
/// <c>dotnet EventKit.Benchmarks.dll interleave allocs [--stores Postgres,Sqlite]</c>
/// </summary>
public static class AllocationProbe
{
    public static async Task RunAsync(StoreKind store, BenchDatabase database)
    {
        const int N = 400;
        var probe = new HandlerProbe();
        foreach (var (name, pooled) in new[] { ("EventKit", false), ("EventKit pooled", true) })
        {
            await using var host = new EventKitHost(store, database, probe, pooled: pooled);
            var steps = new double[6];
            var seq = 0;
            for (var i = -50; i < N; i++)
            {
                var payload = OrderPlaced.Create(++seq);
                var a0 = GC.GetTotalAllocatedBytes(true);
                var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                var a1 = GC.GetTotalAllocatedBytes(true);
                db.Orders.Add(new Order { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow });
                var a2 = GC.GetTotalAllocatedBytes(true);
                var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
                var a3 = GC.GetTotalAllocatedBytes(true);
                await publisher.PublishAsync(payload);
                var a4 = GC.GetTotalAllocatedBytes(true);
                await db.SaveChangesAsync();
                var a5 = GC.GetTotalAllocatedBytes(true);
                await scope.DisposeAsync();
                var a6 = GC.GetTotalAllocatedBytes(true);
                if (i >= 0)
                {
                    steps[0] += a1 - a0;
                    steps[1] += a2 - a1;
                    steps[2] += a3 - a2;
                    steps[3] += a4 - a3;
                    steps[4] += a5 - a4;
                    steps[5] += a6 - a5;
                }
            }

            Console.WriteLine($"| {store} | {name} | {steps[0] / N:F0} | {steps[1] / N:F0} | {steps[2] / N:F0} | {steps[3] / N:F0} | {steps[4] / N:F0} | {steps[5] / N:F0} | {steps.Sum() / N:F0} |");
        }

        // Order alone (the bar), through a plain context.
        foreach (var pooled in new[] { false, true })
        {
            var services = new ServiceCollection().AddLogging();
            database.AddContext(services, pooled);
            await using var provider = services.BuildServiceProvider();
            var steps = new double[6];
            var seq = 0;
            for (var i = -50; i < N; i++)
            {
                var payload = OrderPlaced.Create(++seq);
                var a0 = GC.GetTotalAllocatedBytes(true);
                var scope = provider.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
                var a1 = GC.GetTotalAllocatedBytes(true);
                db.Orders.Add(new Order { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow });
                var a2 = GC.GetTotalAllocatedBytes(true);
                await db.SaveChangesAsync();
                var a5 = GC.GetTotalAllocatedBytes(true);
                await scope.DisposeAsync();
                var a6 = GC.GetTotalAllocatedBytes(true);
                if (i >= 0)
                {
                    steps[0] += a1 - a0;
                    steps[1] += a2 - a1;
                    steps[4] += a5 - a2;
                    steps[5] += a6 - a5;
                }
            }

            Console.WriteLine($"| {store} | no event{(pooled ? " pooled" : "")} | {steps[0] / N:F0} | {steps[1] / N:F0} | - | - | {steps[4] / N:F0} | {steps[5] / N:F0} | {steps.Sum() / N:F0} |");
        }

        // EventKit's own statement alone: appending to an EF-like command, and the parameters.
        if (store == StoreKind.Postgres)
        {
            await using var context = database.CreateContext();
            var dialect = StoreDialect.Get(context, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            var connection = context.Database.GetDbConnection();
            var record = new EventRecord
            {
                Id = Guid.CreateVersion7(), Type = OrderPlaced.EventType, Entity = OrderPlaced.Entity, EntityId = Guid.NewGuid().ToString(),
                Payload = RawOutbox.Serialize(OrderPlaced.Create(1)), AvailableAt = DateTimeOffset.UtcNow, CreatedAt = DateTimeOffset.UtcNow,
            };
            var total = 0.0;
            for (var i = -50; i < N; i++)
            {
                var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO orders (id, customer, amount, created_at)\nVALUES (@p0, @p1, @p2, @p3);\n";
                var a0 = GC.GetTotalAllocatedBytes(true);
                dialect.AppendInsert(command, [record], handOff: null);
                var a1 = GC.GetTotalAllocatedBytes(true);
                if (i >= 0)
                {
                    total += a1 - a0;
                }
            }

            Console.WriteLine($"| {store} | AppendInsert alone (text + 11 parameters, not executed) | | | | | {total / N:F0} | | |");
        }
    }
}
