using System.Data.Common;
using EventKit.ContractTests;
using EventKit.EntityFramework.Internal;
using EventKit.Internal;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Table names up to PostgreSQL's 63-character limit work: the key, index and foreign key names derived from them are
/// kept within the limit (PostgreSQL would cut them silently, and two cut names could clash: 42P07), so the tables are
/// created with exactly the model's names and the store runs on them.
/// </summary>
public abstract class LongTableNamesTests : IAsyncLifetime
{
    protected abstract string? SkipReason { get; }

    protected abstract void UseDatabase(DbContextOptionsBuilder options);

    /// <summary>The names of the indexes (and, where the database names them, keys and constraints) on these tables.</summary>
    protected abstract Task<IReadOnlyCollection<string>> ReadObjectNamesAsync(DbConnection connection, string eventsTable, string logsTable);

    /// <summary>The model's names the database keeps (SQLite does not keep key and constraint names).</summary>
    protected abstract IEnumerable<string> StoredNames(IModel model);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Two names of <paramref name="length"/> characters sharing a long prefix, as generated names' worst case.</summary>
    public static (string Events, string Logs) TableNames(int length) =>
        (("acme_outbox_events_" + new string('e', length))[..length], ("acme_outbox_events_" + new string('l', length))[..length]);

    [SkippableTheory]
    [InlineData(59)]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(62)]
    [InlineData(63)]
    public async Task TablesWithLongNames_AreCreatedWithTheModelsNames_AndTheStoreRunsOnThem(int length)
    {
        Skip.If(SkipReason is not null, SkipReason);
        var (events, logs) = TableNames(length);
        await using var app = TestApp.Create(
            b => b.UseEntityFramework<TenantDbContext>(),
            o => o.Retention = TimeSpan.FromDays(1),
            services: s =>
            {
                s.AddSingleton(new Tenant($"long{length}", UseSchema: false, events, logs));
                s.AddDbContext<TenantDbContext>(o =>
                {
                    UseDatabase(o);
                    o.ReplaceService<IModelCacheKeyFactory, TenantModelCacheKeyFactory>();
                });
            },
            commit: sp => sp.GetRequiredService<TenantDbContext>().SaveChangesAsync());

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<TenantDbContext>();
            await context.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
            await context.Database.OpenConnectionAsync();
            var stored = await ReadObjectNamesAsync(context.Database.GetDbConnection(), events, logs);
            stored.Should().Contain(StoredNames(context.Model), "the database holds the names the model (and its migrations) use, uncut");
        }

        var id = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"), new PublishOptions { IdempotencyKey = "k1" });
        (await app.DrainAsync()).Completed.Should().Be(1);
        (await app.GetLogAsync(id)).Should().ContainSingle();
        app.Time.Advance(TimeSpan.FromDays(2));
        (await app.Services.GetRequiredService<EventCleaner>().RunAsync()).Completed.Should().Be(1);
        (await app.Operations.GetEventAsync(id)).Should().BeNull();
    }
}

public sealed class SqliteLongTableNamesTests : LongTableNamesTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    protected override string? SkipReason => null;

    protected override void UseDatabase(DbContextOptionsBuilder options) => options.UseSqlite(_database.ConnectionString);

    protected override async Task<IReadOnlyCollection<string>> ReadObjectNamesAsync(DbConnection connection, string eventsTable, string logsTable)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ($events, $logs)";
        AddParameter(command, "$events", eventsTable);
        AddParameter(command, "$logs", logsTable);
        return await ReadNamesAsync(command);
    }

    protected override IEnumerable<string> StoredNames(IModel model) =>
        model.GetEntityTypes().Where(e => e.ClrType == typeof(EventEntity) || e.ClrType == typeof(EventLogEntity))
            .SelectMany(e => e.GetIndexes()).Select(i => i.GetDatabaseName()!);

    public void Dispose() => _database.Dispose();

    internal static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    internal static async Task<IReadOnlyCollection<string>> ReadNamesAsync(DbCommand command)
    {
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}

public sealed class PostgresLongTableNamesTests : LongTableNamesTests
{
    private string? _connectionString;

    protected override string? SkipReason => PostgresServer.SkipReason;

    protected override void UseDatabase(DbContextOptionsBuilder options) => options.UseNpgsql(_connectionString);

    protected override async Task<IReadOnlyCollection<string>> ReadObjectNamesAsync(DbConnection connection, string eventsTable, string logsTable)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT indexname FROM pg_indexes WHERE tablename IN (@events, @logs) " +
            "UNION ALL SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname IN (@events, @logs)";
        SqliteLongTableNamesTests.AddParameter(command, "events", eventsTable);
        SqliteLongTableNamesTests.AddParameter(command, "logs", logsTable);
        return await SqliteLongTableNamesTests.ReadNamesAsync(command);
    }

    protected override IEnumerable<string> StoredNames(IModel model) =>
        model.GetEntityTypes().Where(e => e.ClrType == typeof(EventEntity) || e.ClrType == typeof(EventLogEntity))
            .SelectMany(e => e.GetIndexes().Select(i => i.GetDatabaseName()!)
                .Concat(e.GetKeys().Select(k => k.GetName()!))
                .Concat(e.GetForeignKeys().Select(f => f.GetConstraintName()!)));

    public override async Task InitializeAsync()
    {
        if (SkipReason is null)
        {
            _connectionString = await PostgresServer.CreateDatabaseAsync();
        }
    }

    public override async Task DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await PostgresServer.DropDatabaseAsync(_connectionString);
        }
    }
}
