using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// The store's own SQL belongs to the context's model, not to its CLR type: one context type with a model per tenant
/// (<c>IModelCacheKeyFactory</c>), or used with two providers in one process, gets the right statements for each.
/// </summary>
public abstract class ModelPerInstanceTests(ITestDatabase database) : DatabaseTests(database)
{
    /// <summary>Whether tenants get a schema each (PostgreSQL) or a table prefix each (SQLite).</summary>
    protected abstract bool UseSchemas { get; }

    [SkippableFact]
    public async Task ModelPerTenant_EachTenantsProcessorClaimsFromItsOwnTables()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var acme = await CreateTenantAppAsync(new Tenant("acme", UseSchemas));
        await using var globex = await CreateTenantAppAsync(new Tenant("globex", UseSchemas));
        var a = await acme.PublishAsync(new UserCreated(Guid.NewGuid(), "a@acme.test", "A"));
        var g = await globex.PublishAsync(new UserCreated(Guid.NewGuid(), "g@globex.test", "G"));

        (await acme.DrainAsync()).Completed.Should().Be(1);
        (await globex.GetAsync(g)).Status.Should().Be(EventStatus.Pending, "acme's processor reads only acme's tables");
        (await globex.DrainAsync()).Completed.Should().Be(1, "globex's processor claims from globex's tables, not from acme's");

        (await acme.GetAsync(a)).Status.Should().Be(EventStatus.Completed);
        (await globex.GetAsync(g)).Status.Should().Be(EventStatus.Completed);
        (await acme.Operations.GetEventAsync(g)).Should().BeNull("each tenant's events live in its own tables");
        acme.Probe.Calls.Should().ContainSingle().Which.EventId.Should().Be(a);
        globex.Probe.Calls.Should().ContainSingle().Which.EventId.Should().Be(g);
    }

    /// <summary>An app on <see cref="TenantDbContext"/> for one tenant, its tables created in the shared database.</summary>
    private async Task<TestApp> CreateTenantAppAsync(Tenant tenant)
    {
        var app = TenantApp.Create(Database, tenant);
        await TenantApp.CreateTablesAsync(app);
        return app;
    }

    /// <summary>An app on <see cref="PortableDbContext"/> with the given provider, its tables created.</summary>
    protected static async Task<TestApp> CreatePortableAppAsync(Action<DbContextOptionsBuilder> useDatabase)
    {
        var app = TestApp.Create(
            b => b.UseEntityFramework<PortableDbContext>(),
            services: s => s.AddDbContext<PortableDbContext>(useDatabase),
            commit: sp => sp.GetRequiredService<PortableDbContext>().SaveChangesAsync());
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortableDbContext>().Database.EnsureCreatedAsync();
        return app;
    }
}
