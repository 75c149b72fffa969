using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.Tests;

/// <summary>The shared store contract on a real SQLite file (WAL), schema created by the EF migration.</summary>
public sealed class SqliteStoreContractTests() : EntityFrameworkStoreContractTests<SqliteTestDbContext>(new SqliteTestDatabase())
{
    protected override Task MigratedAsync(SqliteTestDbContext context) => context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
}
