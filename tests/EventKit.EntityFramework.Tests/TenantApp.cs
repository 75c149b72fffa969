using EventKit.ContractTests;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.EntityFramework.Tests;

/// <summary>A <see cref="TestApp"/> on <see cref="TenantDbContext"/> for one tenant, on a test database.</summary>
public static class TenantApp
{
    /// <summary>
    /// The app of <paramref name="tenant"/>: the EF store on its own model (<see cref="TenantModelCacheKeyFactory"/>),
    /// committing with <c>SaveChanges</c>. Its tables are not created (see <see cref="CreateTablesAsync"/>).
    /// </summary>
    public static TestApp Create(
        ITestDatabase database,
        Tenant tenant,
        Action<EventKitOptions>? configure = null,
        Action<IServiceCollection>? services = null) =>
        TestApp.Create(
            b => b.UseEntityFramework<TenantDbContext>(),
            configure,
            services: s =>
            {
                services?.Invoke(s);
                s.AddSingleton(tenant);
                s.AddDbContext<TenantDbContext>(o =>
                {
                    database.Use(o);
                    o.ReplaceService<IModelCacheKeyFactory, TenantModelCacheKeyFactory>();
                });
            },
            commit: sp => sp.GetRequiredService<TenantDbContext>().SaveChangesAsync());

    /// <summary>Creates the tenant's tables from its model (a migration has one model, the tenants have one each).</summary>
    public static async Task CreateTablesAsync(TestApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TenantDbContext>().GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
    }
}
