using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="ModelPerInstanceTests"/> on PostgreSQL (a schema per tenant), and one context type on both providers.</summary>
public sealed class PostgresModelPerInstanceTests() : ModelPerInstanceTests(new PostgresTestDatabase())
{
    protected override bool UseSchemas => true;

    [SkippableFact]
    public async Task OneContextType_OnSqliteThenOnPostgres_EachProviderGetsItsOwnSql()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var sqlite = new SqliteTestDatabase();
        await sqlite.CreateAsync();
        foreach (var useDatabase in new Action<DbContextOptionsBuilder>[] { sqlite.Use, Database.Use })
        {
            await using var app = await CreatePortableAppAsync(useDatabase);
            var id = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));

            (await app.DrainAsync()).Completed.Should().Be(1);

            (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
            app.Probe.Calls.Should().ContainSingle().Which.EventId.Should().Be(id);
        }
    }
}
