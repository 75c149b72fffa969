using EventKit.ContractTests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.EntityFramework.Tests;

/// <summary>The shared store contract on a real SQLite file, schema created by the EF migration.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly SqliteTestDatabase _database = new();

    protected override int ConcurrentEventCount => 2_000;

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddDbContext<SqliteTestDbContext>(_database.Use);

    protected override void UseStore(IEventKitBuilder builder) => builder.UseEntityFramework<SqliteTestDbContext>();

    protected override Task CommitAsync(IServiceProvider scopedServices) =>
        scopedServices.GetRequiredService<SqliteTestDbContext>().SaveChangesAsync();

    public override async Task InitializeAsync()
    {
        await using var context = new SqliteTestDbContext(new DbContextOptionsBuilder<SqliteTestDbContext>().UseSqlite(_database.ConnectionString).Options);
        await context.Database.MigrateAsync();
        await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    public override Task DisposeAsync() => _database.DisposeAsync().AsTask();
}
