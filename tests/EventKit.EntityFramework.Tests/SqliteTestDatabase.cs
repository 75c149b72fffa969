using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.Tests;

/// <summary>A SQLite database file in a temp folder, deleted on dispose with its WAL and shared-memory files.</summary>
public sealed class SqliteTestDatabase : ITestDatabase
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"eventkit-{Guid.NewGuid():N}.db");

    public string? SkipReason => null;

    public string ConnectionString => $"Data Source={_path};Default Timeout=30";

    /// <summary>Nothing to do: SQLite creates the file when the first connection opens.</summary>
    public Task CreateAsync() => Task.CompletedTask;

    public void Use(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return ValueTask.CompletedTask;
    }
}
