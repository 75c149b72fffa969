using EventKit.ContractTests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.EntityFramework.Tests;

/// <summary>The shared store contract on a real database of its own, schema created by the context's EF migration.</summary>
/// <typeparam name="TContext">The provider's context, with that provider's migrations.</typeparam>
/// <param name="database">The provider's database.</param>
public abstract class EntityFrameworkStoreContractTests<TContext>(ITestDatabase database) : StoreContractTests
    where TContext : TestDbContext
{
    protected override int ConcurrentEventCount => 2_000;

    protected override string? SkipReason => database.SkipReason;

    protected override void ConfigureServices(IServiceCollection services) => services.AddDbContext<TContext>(database.Use);

    protected override void UseStore(IEventKitBuilder builder) => builder.UseEntityFramework<TContext>();

    protected override Task CommitAsync(IServiceProvider scopedServices) =>
        scopedServices.GetRequiredService<TContext>().SaveChangesAsync();

    public override async Task InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        await database.CreateAsync();
        await using var services = new ServiceCollection().AddDbContext<TContext>(database.Use).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        await context.Database.MigrateAsync();
        await MigratedAsync(context);
    }

    public override Task DisposeAsync() => database.DisposeAsync().AsTask();

    /// <summary>Runs once the schema exists, for what the provider's database needs besides (SQLite: WAL).</summary>
    protected virtual Task MigratedAsync(TContext context) => Task.CompletedTask;
}
