using EventKit.ContractTests;
using EventKit.EntityFramework.Internal;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>Registration, start-up checks and model mapping of the EF store, without a database server.</summary>
public sealed class EntityFrameworkSetupTests
{
    [Fact]
    public async Task Startup_WithUnsupportedProvider_FailsNamingTheSupportedOnes()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<InMemoryProviderDbContext>(o => o.UseInMemoryDatabase("x"));
        builder.Services.AddEventKit().UseEntityFramework<InMemoryProviderDbContext>();
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should()
            .Contain("EventKit.EntityFramework supports PostgreSQL (Npgsql.EntityFrameworkCore.PostgreSQL) and SQLite (Microsoft.EntityFrameworkCore.Sqlite)")
            .And.Contain("InMemoryProviderDbContext uses 'Microsoft.EntityFrameworkCore.InMemory'");
    }

    [Fact]
    public async Task Startup_WithoutAddEventKitInTheModel_FailsSayingWhatToCall()
    {
        await using var database = new SqliteTestDatabase();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<NoEventKitDbContext>(database.Use);
        builder.Services.AddEventKit().UseEntityFramework<NoEventKitDbContext>();
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should()
            .Contain("Call modelBuilder.AddEventKit() in NoEventKitDbContext.OnModelCreating");
    }

    [Fact]
    public async Task Startup_WithoutTheContextRegistered_FailsSayingWhatToRegister()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEventKit().UseEntityFramework<SqliteTestDbContext>();
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should()
            .Contain("needs SqliteTestDbContext registered");
    }

    [Fact]
    public void UseEntityFramework_ReplacesTheStore_AndIsIdempotent()
    {
        var services = new ServiceCollection();
        services.AddDbContext<SqliteTestDbContext>(o => o.UseSqlite("Data Source=:memory:"));
        var builder = services.AddEventKit();
        builder.UseEntityFramework<SqliteTestDbContext>();
        var count = services.Count;

        builder.UseEntityFramework<SqliteTestDbContext>();

        services.Count.Should().Be(count);
        services.Should().ContainSingle(d => d.ServiceType == typeof(IEventStore))
            .Which.Should().BeEquivalentTo(new { Lifetime = ServiceLifetime.Scoped, ImplementationType = typeof(EntityFrameworkEventStore<SqliteTestDbContext>) });
    }

    [Fact]
    public void UseEntityFramework_WithASecondContextType_Throws_NamingBoth()
    {
        var services = new ServiceCollection();
        var eventKit = services.AddEventKit().UseEntityFramework<SqliteTestDbContext>();

        var second = () => eventKit.UseEntityFramework<PostgresTestDbContext>();

        second.Should().Throw<InvalidOperationException>()
            .WithMessage($"*'{typeof(SqliteTestDbContext).FullName}'*'{typeof(PostgresTestDbContext).FullName}'*UseEntityFramework once*",
                "events published into the second context would never be stored by the first one's SaveChanges");
    }

    [Theory]
    [InlineData("events; DROP TABLE users", null, "EventsTable")]
    [InlineData("events", "1schema", "Schema")]
    [InlineData("", null, "EventsTable")]
    [InlineData("events\n", null, "EventsTable")]
    [InlineData("events", "public\n", "Schema")]
    public void AddEventKit_InvalidIdentifier_Throws(string table, string? schema, string option)
    {
        var add = () => new ModelBuilder().AddEventKit(o =>
        {
            o.EventsTable = table;
            o.Schema = schema;
        });

        add.Should().Throw<ArgumentException>().WithMessage($"EventKitModelOptions.{option} must be a plain identifier*").Which.ParamName.Should().Be("configure");
    }

    [Theory]
    [InlineData("jsonb")]
    [InlineData(" JSONB ")]
    public void AddEventKit_JsonbPayloadColumnType_ThrowsExplainingWhy(string columnType)
    {
        var add = () => new ModelBuilder().AddEventKit(o => o.PayloadColumnType = columnType);

        add.Should().Throw<ArgumentException>()
            .WithMessage("EventKitModelOptions.PayloadColumnType cannot be 'jsonb': jsonb reorders object keys*\\u0000*Leave it null (json on PostgreSQL)*")
            .Which.ParamName.Should().Be("configure");
    }

    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    public void AddEventKit_OtherPayloadColumnType_IsUsed(string columnType)
    {
        var model = new ModelBuilder().AddEventKit(o => o.PayloadColumnType = columnType).Model;

        model.FindEntityType(typeof(EventEntity))!.FindProperty(nameof(EventEntity.Payload))!.GetColumnType().Should().Be(columnType);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(40)]
    [InlineData(58)]
    [InlineData(59)]
    [InlineData(60)]
    [InlineData(63)]
    public void AddEventKit_TableNamesUpTo63Characters_EveryDerivedNameFitsAndIsDistinct(int length)
    {
        var (events, logs) = LongTableNamesTests.TableNames(length);

        var model = new ModelBuilder().AddEventKit(o =>
        {
            o.EventsTable = events;
            o.EventLogsTable = logs;
        }).Model;

        var names = model.GetEntityTypes()
            .SelectMany(e => e.GetIndexes().Select(i => i.GetDatabaseName()!)
                .Concat(e.GetKeys().Select(k => k.GetName()!))
                .Concat(e.GetForeignKeys().Select(f => f.GetConstraintName()!)))
            .ToList();
        names.Should().HaveCount(16, "four keys, eleven indexes and the foreign key");
        names.Should().OnlyContain(n => n.Length <= 63, "PostgreSQL cuts longer names").And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void DerivedNames_ThatFit_AreUnchanged_LongerOnes_AreShortenedTheSameWayEveryTime()
    {
        var table = new string('t', 63);

        var name = DatabaseNames.For("ix_", table, "_status_processed_at");

        DatabaseNames.For("ix_", "events", "_runnable").Should().Be("ix_events_runnable");
        DatabaseNames.For("ix_", new string('t', 40), "_status_processed_at").Should().Be("ix_" + new string('t', 40) + "_status_processed_at", "63 characters fit");
        name.Should().Be("ix_ttttttttttttttttttttttttttttttt_ad463042_status_processed_at", "a changed algorithm would rename indexes in users' migrations");
        name.Should().HaveLength(63);
        DatabaseNames.For("ix_", new string('t', 62) + "u", "_status_processed_at").Should().NotBe(name, "the hash is of the full name");
    }

    [Fact]
    public void AddEventKit_SameNameForBothTables_Throws()
    {
        var add = () => new ModelBuilder().AddEventKit(o => o.EventLogsTable = "events");

        add.Should().Throw<ArgumentException>().WithMessage("*must differ*");
    }

    [Fact]
    public void Model_OnSqlite_MapsTextPayloadUtcTimesAndTheIndexes()
    {
        using var context = new SqliteTestDbContext(new DbContextOptionsBuilder<SqliteTestDbContext>().UseSqlite("Data Source=:memory:").Options);

        var events = context.Model.FindEntityType(typeof(EventEntity))!;

        events.GetTableName().Should().Be("events");
        events.FindProperty(nameof(EventEntity.Payload))!.GetColumnType().Should().Be("TEXT");
        events.GetIndexes().Select(i => i.GetDatabaseName()).Should().BeEquivalentTo(
            "ix_events_runnable", "ix_events_status_processed_at", "ix_events_created_at_type", "ux_events_idempotency_key",
            "ix_events_status_created_at", "ix_events_type_created_at", "ix_events_entity_created_at", "ix_events_ordered");
        events.GetIndexes().Single(i => i.GetDatabaseName() == "ix_events_runnable").GetFilter()
            .Should().Be("\"status\" IN ('pending', 'processing', 'failed')");
        events.GetIndexes().Single(i => i.GetDatabaseName() == "ix_events_ordered").GetFilter()
            .Should().Be("\"ordering\" <> 0 AND \"status\" IN ('pending', 'processing', 'failed', 'dead_letter')");
    }

    [Fact]
    public void Model_OnPostgres_MapsJsonPayloadAndTimestampTz()
    {
        using var context = new PostgresTestDbContext(new DbContextOptionsBuilder<PostgresTestDbContext>().UseNpgsql("Host=localhost").Options);

        var events = context.Model.FindEntityType(typeof(EventEntity))!;

        events.FindProperty(nameof(EventEntity.Payload))!.GetColumnType().Should().Be("json", "json keeps the payload's text exactly; jsonb reorders keys and refuses \\u0000");
        events.FindProperty(nameof(EventEntity.AvailableAt))!.GetColumnType().Should().Be("timestamp with time zone");
    }

    public sealed class InMemoryProviderDbContext(DbContextOptions<InMemoryProviderDbContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddEventKit();
    }

    public sealed class NoEventKitDbContext(DbContextOptions<NoEventKitDbContext> options) : DbContext(options)
    {
        public DbSet<User> Users => Set<User>();
    }
}
