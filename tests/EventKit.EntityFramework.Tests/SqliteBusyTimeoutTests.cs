using EventKit.EntityFramework.Internal;
using FluentAssertions;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
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
        await SetBusyTimeoutAsync(context, 5);

        var now = DateTimeOffset.UtcNow;
        await scope.ServiceProvider.GetRequiredService<IEventStore>().ClaimAsync("p1", 10, int.MaxValue, now, TimeSpan.FromSeconds(30));

        (await ReadBusyTimeoutAsync(context)).Should().Be(7000);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ApplicationsConnections_GetTheCommandTimeoutAsBusyTimeout_WhenTheyOpen(bool async)
    {
        await using var provider = Provider(o => o.UseSqlite(Unpooled, s => s.CommandTimeout(9)));
        await using var scope = provider.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<SqliteTestDbContext>();
        if (async)
        {
            await context.Database.OpenConnectionAsync();
        }
        else
        {
            context.Database.OpenConnection();
        }

        (await ReadBusyTimeoutAsync(context)).Should().Be(9000, "EventKit's processor writes beside the application, which should wait for the lock, not sleep 150 ms");
    }

    [Fact]
    public async Task ApplicationsConnections_WithoutACommandTimeout_WaitWithoutLimit()
    {
        await using var provider = Provider(o => o.UseSqlite(Unpooled, s => s.CommandTimeout(0)));
        await using var scope = provider.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<SqliteTestDbContext>();
        await context.Database.OpenConnectionAsync();

        (await ReadBusyTimeoutAsync(context)).Should().Be(int.MaxValue);
    }

    [Fact]
    public async Task ApplicationsOwnBusyTimeout_IsKept()
    {
        await using var provider = Provider(o => o.UseSqlite(Unpooled).AddInterceptors(new OwnBusyTimeout()));
        await using var scope = provider.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<SqliteTestDbContext>();
        await context.Database.OpenConnectionAsync();

        (await ReadBusyTimeoutAsync(context)).Should().Be(1234);
    }

    [Fact]
    public async Task ContextsEventKitDoesNotUse_AreLeftAlone()
    {
        var services = new ServiceCollection();
        services.AddDbContext<OtherContext>(o => o.UseSqlite(Unpooled));
        services.AddDbContext<SqliteTestDbContext>(o => o.UseSqlite(Unpooled));
        services.AddEventKit().UseEntityFramework<SqliteTestDbContext>();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var other = scope.ServiceProvider.GetRequiredService<OtherContext>();
        await other.Database.OpenConnectionAsync();

        (await ReadBusyTimeoutAsync(other)).Should().Be(0);
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

    [Fact]
    public async Task ProcessorWrites_TakeTurnsInTheProcess_ButNeverInsideTheApplicationsTransaction()
    {
        await using (var publish = _provider!.CreateAsyncScope())
        {
            var publisher = publish.ServiceProvider.GetRequiredService<IEventPublisher>();
            await publisher.PublishAsync("test.event", "test", "1", new { });
            await publisher.PublishAsync("test.event", "test", "2", new { });
            await publish.ServiceProvider.GetRequiredService<SqliteTestDbContext>().SaveChangesAsync();
        }

        // Another of the processor's writes holds the turn for this database.
        await using var scope = _provider!.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<SqliteTestDbContext>();
        var dialect = (SqliteDialect)StoreDialect.Get(context, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var turn = await dialect.EnterWriteAsync(context.Database.GetDbConnection(), CancellationToken.None);
        turn.Should().NotBeNull();

        var now = DateTimeOffset.UtcNow.AddMinutes(1);
        await using var waiting = _provider!.CreateAsyncScope();
        var claim = Task.Run(() => waiting.ServiceProvider.GetRequiredService<IEventStore>().ClaimAsync("p1", 1, int.MaxValue, now, TimeSpan.FromMinutes(1)).AsTask());
        var dataSource = context.Database.GetDbConnection().DataSource;
        await Poll.UntilAsync("the processor's claim waits for its turn", () => Task.FromResult(SqliteDialect.WaitingForWrite(dataSource)), waiting => waiting == 1, TimeSpan.FromSeconds(30));

        // A claim inside the application's own transaction does not take a turn: it cannot wait on one in a cycle.
        await using (var inTransaction = _provider!.CreateAsyncScope())
        {
            var appContext = inTransaction.ServiceProvider.GetRequiredService<SqliteTestDbContext>();
            await using var transaction = await appContext.Database.BeginTransactionAsync();
            var claimed = await inTransaction.ServiceProvider.GetRequiredService<IEventStore>().ClaimAsync("p2", 1, int.MaxValue, now, TimeSpan.FromMinutes(1)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            claimed.Should().ContainSingle();
            await transaction.CommitAsync();
        }

        SqliteDialect.WaitingForWrite(dataSource).Should().Be(1, "the application's claim took no turn, and the processor's still waits");
        claim.IsCompleted.Should().BeFalse();
        turn!.Dispose();
        (await claim.WaitAsync(TimeSpan.FromSeconds(30))).Should().ContainSingle();
    }

    private string Unpooled => Database.ConnectionString + ";Pooling=False";

    private static ServiceProvider Provider(Action<DbContextOptionsBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddDbContext<SqliteTestDbContext>(configure);
        services.AddEventKit().UseEntityFramework<SqliteTestDbContext>();
        return services.BuildServiceProvider();
    }

    private static async Task SetBusyTimeoutAsync(DbContext context, int milliseconds)
    {
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {milliseconds}";
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ReadBusyTimeoutAsync(DbContext context)
    {
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA busy_timeout";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>An application's own busy timeout, set when its connections open.</summary>
internal sealed class OwnBusyTimeout : DbConnectionInterceptor
{
    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 1234";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>A context of the application's that EventKit does not use.</summary>
internal sealed class OtherContext(DbContextOptions<OtherContext> options) : DbContext(options);
