using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace EventKit.EntityFramework.Tests;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite context.</summary>
public sealed class SqliteTestDbContextFactory : IDesignTimeDbContextFactory<SqliteTestDbContext>
{
    public SqliteTestDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTestDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL context (no connection is opened).</summary>
public sealed class PostgresTestDbContextFactory : IDesignTimeDbContextFactory<PostgresTestDbContext>
{
    public PostgresTestDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTestDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
