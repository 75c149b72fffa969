using EventKit.ContractTests;
using EventKit.Internal;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// The EF store's own log (category EventKit.EntityFramework, event ids 2xxx): claim and settle bypass EF Core's
/// command logging, so the store says which statements it chose, which failed, and what retention deleted. Each test
/// uses a tenant of its own, so its model (and the dialect logged for it) is new to the process.
/// </summary>
public abstract class EntityFrameworkLoggingTests(ITestDatabase database) : DatabaseTests(database)
{
    private const string Secret = "s3cr3t-payload-text";
    private readonly LogCapture _logs = new();

    /// <summary>Whether tenants get a schema each (PostgreSQL) or a table prefix each (SQLite).</summary>
    protected abstract bool UseSchemas { get; }

    /// <summary>The dialect the store logs that it chose for this provider.</summary>
    protected abstract string ExpectedDialect { get; }

    private IEnumerable<LogCapture.Entry> StoreLogs => _logs.Entries.Where(e => e.Category == "EventKit.EntityFramework");

    [SkippableFact]
    public async Task Startup_LogsTheDialectChosen_OncePerModel()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var tenant = NewTenant();
        await using var app = await CreateAppAsync(tenant, createTables: true);   // TestApp.Create runs the start-up validation

        var chosen = StoreLogs.Should().ContainSingle(e => e.EventId.Id == 2001).Subject;
        chosen.Level.Should().Be(LogLevel.Information);
        chosen.EventId.Name.Should().Be("DialectChosen");
        chosen.Message.Should().Contain(nameof(TenantDbContext)).And.Contain($"uses {ExpectedDialect} statements").And.Contain(tenant.Name);

        var now = app.Time.GetUtcNow();
        await app.WithStoreAsync(s => s.ClaimAsync("p1", 10, int.MaxValue, now, TimeSpan.FromSeconds(30)));
        await app.WithStoreAsync(s => s.ClaimAsync("p1", 10, int.MaxValue, now, TimeSpan.FromSeconds(30)));
        StoreLogs.Where(e => e.EventId.Id == 2001).Should().ContainSingle("the dialect is chosen once per model");

        await using var other = await CreateAppAsync(NewTenant(), createTables: false);
        StoreLogs.Where(e => e.EventId.Id == 2001).Should().HaveCount(2, "another tenant has another model");
    }

    [SkippableFact]
    public async Task FailedClaim_IsLogged_WithTheOperationAndTheDatabasesError()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var app = await CreateAppAsync(NewTenant(), createTables: false);
        var now = app.Time.GetUtcNow();

        var claim = () => app.WithStoreAsync(s => s.ClaimAsync("p1", 10, int.MaxValue, now, TimeSpan.FromSeconds(30)));

        var thrown = (await claim.Should().ThrowAsync<Exception>()).Which;
        var failed = StoreLogs.Should().ContainSingle(e => e.EventId.Id == 2002).Subject;
        failed.Level.Should().Be(LogLevel.Warning);
        failed.Exception.Should().BeSameAs(thrown);
        failed.Message.Should().Contain("ClaimAsync").And.Contain(nameof(TenantDbContext)).And.Contain("the processor retries it");
        failed.Message.Should().NotContain(Database.ConnectionString);
    }

    [SkippableFact]
    public async Task Retention_LogsWhatEachStatementDeleted_AndNoPayload()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var app = await CreateAppAsync(NewTenant(), createTables: true, o => o.Retention = TimeSpan.FromDays(1));
        for (var i = 0; i < 3; i++)
        {
            await app.PublishAsync(new UserCreated(Guid.NewGuid(), $"{Secret}{i}@example.com", Secret));
        }

        await app.DrainAsync();
        app.Time.Advance(TimeSpan.FromDays(2));

        (await app.Operations.RunRetentionAsync()).Completed.Should().Be(3);
        (await app.Operations.RunRetentionAsync()).Completed.Should().Be(0);

        var retention = StoreLogs.Where(e => e.EventId.Id == 2004 && e.Message.Contains("Completed", StringComparison.Ordinal)).ToList();
        retention.Should().HaveCount(2);
        retention[0].Level.Should().Be(LogLevel.Information);
        retention[0].Message.Should().Contain("retention deleted 3 Completed events processed before");
        retention[1].Level.Should().Be(LogLevel.Debug, "a statement that found nothing to delete is only worth a debug line");
        retention[1].Message.Should().Contain("retention deleted 0 Completed events");
        StoreLogs.Should().Contain(e => e.EventId.Id == 2003 && e.Level == LogLevel.Debug && e.Message.Contains("ClaimAsync", StringComparison.Ordinal));
        StoreLogs.Should().Contain(e => e.EventId.Id == 2003 && e.Message.Contains("SettleOnceAsync", StringComparison.Ordinal));
        _logs.Entries.Should().NotContain(e => e.Message.Contains(Secret, StringComparison.Ordinal), "payloads are never logged");
        _logs.Entries.Should().NotContain(e => e.Message.Contains(Database.ConnectionString, StringComparison.Ordinal), "connection strings are never logged");
    }

    private Tenant NewTenant() => new($"t{Guid.NewGuid():N}"[..12], UseSchemas);

    private async Task<TestApp> CreateAppAsync(Tenant tenant, bool createTables, Action<EventKitOptions>? configure = null)
    {
        var app = TenantApp.Create(
            Database,
            tenant,
            configure,
            s => s.AddSingleton(LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug))));
        if (createTables)
        {
            await TenantApp.CreateTablesAsync(app);
        }

        return app;
    }
}
