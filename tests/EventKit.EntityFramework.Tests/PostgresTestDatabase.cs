using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// A database of its own on the shared PostgreSQL server (<see cref="PostgresServer"/>), dropped on dispose. Without
/// the server it skips; under CI=true <see cref="CreateAsync"/> fails instead.
/// </summary>
public sealed class PostgresTestDatabase : ITestDatabase
{
    private string? _connectionString;

    public string? SkipReason => PostgresServer.SkipReason;

    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The database does not exist yet: call CreateAsync first.");

    public async Task CreateAsync() => _connectionString = await PostgresServer.CreateDatabaseAsync();

    public void Use(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await PostgresServer.DropDatabaseAsync(_connectionString);
        }
    }
}
