using EventKit.EntityFramework.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// A fresh PostgreSQL database with the test host's schema (its EF migration), and the test's side of the
/// application: the real publisher to fill it, the operations API and queries to check it. Dropped on dispose.
/// </summary>
public sealed class TestHostDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _server;

    private TestHostDatabase(string connectionString, string server)
    {
        ConnectionString = connectionString;
        _server = server;
        var services = new ServiceCollection();
        services.AddLogging();

        // Publishes and queries only: no hosted service is started in this provider.
        services.AddTestHost(connectionString, new TestHostInstance("publisher"), o => o.EnableProcessing = false);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public string ConnectionString { get; }

    /// <summary>Creates the database on the shared server test.sh starts (<see cref="PostgresServer"/>).</summary>
    public static Task<TestHostDatabase> CreateAsync() => CreateAsync(PostgresServer.RequiredConnectionString);

    /// <summary>Creates the database on the server <paramref name="server"/> connects to, e.g. a <see cref="PrivatePostgresServer"/>.</summary>
    public static async Task<TestHostDatabase> CreateAsync(string server)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync(server);
        try
        {
            await using var context = new TestHostDbContext(new DbContextOptionsBuilder<TestHostDbContext>().UseNpgsql(connectionString).Options);
            await context.Database.MigrateAsync();
        }
        catch
        {
            await PostgresServer.DropDatabaseAsync(connectionString, server);
            throw;
        }

        return new TestHostDatabase(connectionString, server);
    }

    /// <summary>Publishes <see cref="WorkItem"/> 0 … count−1 through <see cref="IEventPublisher"/>, committing every <paramref name="perCommit"/>.</summary>
    public async Task PublishAsync(int count, int perCommit)
    {
        for (var first = 0; first < count; first += perCommit)
        {
            await using var scope = _services.CreateAsyncScope();
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            for (var number = first; number < Math.Min(count, first + perCommit); number++)
            {
                await publisher.PublishAsync(new WorkItem(number));
            }

            await scope.ServiceProvider.GetRequiredService<TestHostDbContext>().SaveChangesAsync();
        }
    }

    /// <summary>
    /// Publishes <see cref="WorkStep"/> 1 … <paramref name="steps"/> of work items 0 … <paramref name="items"/>−1,
    /// interleaved (step 1 of every item, then step 2, …), one unit of work per step.
    /// </summary>
    public async Task PublishStepsAsync(int items, int steps)
    {
        for (var seq = 1; seq <= steps; seq++)
        {
            await using var scope = _services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishManyAsync(Enumerable.Range(0, items).Select(item => new WorkStep(item, seq)));
            await scope.ServiceProvider.GetRequiredService<TestHostDbContext>().SaveChangesAsync();
        }
    }

    public async Task<EventMetrics> GetMetricsAsync() =>
        await _services.GetRequiredService<IEventOperations>().GetMetricsAsync();

    public async Task<T> QueryAsync<T>(Func<TestHostDbContext, Task<T>> query)
    {
        await using var scope = _services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TestHostDbContext>());
    }

    /// <summary>A cheap count for polling (the metrics API also averages durations, which costs more each time).</summary>
    public Task<long> CountCompletedAsync() => QueryAsync(db => db.Database
        .SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM events WHERE status = 'completed'").SingleAsync());

    public Task<int> CountHandledAsync() => QueryAsync(db => db.Handled.CountAsync());

    public Task<HandledSummary> SummarizeHandledAsync() => QueryAsync(async db =>
    {
        var rows = await db.Handled.LongCountAsync();
        var maxRuns = await db.Handled.MaxAsync(h => (int?)h.Runs) ?? 0;
        var duplicates = await db.Handled.SumAsync(h => (long)(h.Runs - 1));
        var missing = await db.Database
            .SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM events e WHERE NOT EXISTS (SELECT 1 FROM handled h WHERE h.event_id = e.id)")
            .SingleAsync();
        var byInstance = await db.Handled.GroupBy(h => h.Instance).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count);
        return new HandledSummary(rows, maxRuns, duplicates, missing, byInstance);
    });

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await PostgresServer.DropDatabaseAsync(ConnectionString, _server);
    }
}
