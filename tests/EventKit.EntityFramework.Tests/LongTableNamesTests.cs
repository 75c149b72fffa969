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
public abstract class LongTableNamesTests(ITestDatabase database) : DatabaseTests(database)
{
    /// <summary>
    /// The catalogue query for the names of the indexes (and, where the database names them, keys and constraints) on
    /// the tables named by the parameters <c>events</c> and <c>logs</c>.
    /// </summary>
    protected abstract string ObjectNamesQuery { get; }

    /// <summary>The model's names the database keeps (SQLite does not keep key and constraint names).</summary>
    protected abstract IEnumerable<string> StoredNames(IModel model);

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
        await using var app = TenantApp.Create(Database, new Tenant($"long{length}", UseSchema: false, events, logs), o => o.Retention = TimeSpan.FromDays(1));

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

    /// <summary>The model's entity types of EventKit's two tables.</summary>
    protected static IEnumerable<IEntityType> EventKitEntityTypes(IModel model) =>
        model.GetEntityTypes().Where(e => e.ClrType == typeof(EventEntity) || e.ClrType == typeof(EventLogEntity));

    private async Task<IReadOnlyCollection<string>> ReadObjectNamesAsync(DbConnection connection, string eventsTable, string logsTable)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = ObjectNamesQuery;
        AddParameter(command, "events", eventsTable);
        AddParameter(command, "logs", logsTable);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
