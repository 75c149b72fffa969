using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Which tenant a <see cref="TenantDbContext"/> serves: EventKit's tables in the tenant's own schema (PostgreSQL) or
/// under the tenant's table prefix (SQLite, which has no schemas), or under the table names given.
/// </summary>
public sealed record Tenant(string Name, bool UseSchema, string? EventsTable = null, string? EventLogsTable = null);

/// <summary>One context type whose model varies per instance: each tenant gets its own model (see <see cref="TenantModelCacheKeyFactory"/>).</summary>
public sealed class TenantDbContext(DbContextOptions<TenantDbContext> options, Tenant tenant) : DbContext(options)
{
    public Tenant Tenant => tenant;

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.AddEventKit(o =>
        {
            if (tenant.UseSchema)
            {
                o.Schema = tenant.Name;
            }
            else if (tenant.EventsTable is not null && tenant.EventLogsTable is not null)
            {
                o.EventsTable = tenant.EventsTable;
                o.EventLogsTable = tenant.EventLogsTable;
            }
            else
            {
                o.EventsTable = $"{tenant.Name}_events";
                o.EventLogsTable = $"{tenant.Name}_event_logs";
                o.PausesTable = $"{tenant.Name}_event_type_pauses";
                o.ProcessorsTable = $"{tenant.Name}_event_processors";
            }
        });
}

/// <summary>EF Core caches a model per key: the tenant is part of it, so every tenant has its own model.</summary>
public sealed class TenantModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        context is TenantDbContext tenantContext ? (context.GetType(), tenantContext.Tenant, designTime) : (context.GetType(), designTime);
}

/// <summary>One context type used with SQLite and with PostgreSQL in the same process (as test suites do).</summary>
public sealed class PortableDbContext(DbContextOptions<PortableDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddEventKit();
}
