using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// On SQLite the store lets the database wait for the write lock itself (busy_timeout = the context's command
/// timeout), instead of Microsoft.Data.Sqlite's 150 ms sleep-and-retry, and a claim that meets a writer completes
/// once the writer commits.
/// </summary>
public sealed class SqliteBusyTimeoutTests() : DatabaseTests(new SqliteTestDatabase())
{
    private ServiceProvider? _provider;

    protected override async Task SetUpAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<SqliteTestDbContext>(o => o.UseSqlite(Database.ConnectionString, s => s.CommandTimeout(7)));
        services.AddEventKit().UseEntityFramework<SqliteTestDbContext>();
        _provider = services.BuildServiceProvider();
        await using var scope = _provider.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<SqliteTestDbContext>();
        await context.Database.MigrateAsync();
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    protected override async Task TearDownAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task Claim_SetsBusyTimeout_ToTheCommandTimeout()
    {
        await using var scope = _provider!.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<SqliteTestDbContext>();
        await context.Database.OpenConnectionAsync();
        (await ReadBusyTimeoutAsync(context)).Should().Be(0, "a fresh connection has no busy timeout");

        var now = DateTimeOffset.UtcNow;
        await scope.ServiceProvider.GetRequiredService<IEventStore>().ClaimAsync("p1", 10, int.MaxValue, now, TimeSpan.FromSeconds(30));

        (await ReadBusyTimeoutAsync(context)).Should().Be(7000);
    }

    [Fact]
    public async Task Claim_WaitsForAWriter_AndCompletesAfterItsCommit()
    {
        await using (var publish = _provider!.CreateAsyncScope())
        {
            await publish.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync("test.event", "test", "1", new { });
            await publish.ServiceProvider.GetRequiredService<SqliteTestDbContext>().SaveChangesAsync();
        }

        await using var writer = new Microsoft.Data.Sqlite.SqliteConnection(Database.ConnectionString);
        await writer.OpenAsync();
        await using var transaction = writer.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: holds the write lock

        await using var scope = _provider!.CreateAsyncScope();
        var now = DateTimeOffset.UtcNow;
        var store = scope.ServiceProvider.GetRequiredService<IEventStore>();

        // Microsoft.Data.Sqlite runs "async" commands synchronously: the claim waits on its own thread.
        var claim = Task.Run(() => store.ClaimAsync("p1", 10, int.MaxValue, now.AddMinutes(1), TimeSpan.FromMinutes(1)).AsTask());
        await transaction.CommitAsync();

        (await claim.WaitAsync(TimeSpan.FromSeconds(30))).Should().ContainSingle();
    }

    private static async Task<long> ReadBusyTimeoutAsync(DbContext context)
    {
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA busy_timeout";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
