using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// Sets <c>PRAGMA busy_timeout</c> on every connection the benchmark application's context opens, as a SQLite
/// application with concurrent writers should (otherwise Microsoft.Data.Sqlite sleeps 150 ms on a busy database).
/// The raw loop opens its connections with the same setting, so both sides wait for the write lock the same way.
/// </summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    public const int Milliseconds = 30_000;

    public static readonly SqliteBusyTimeout Instance = new();

    public static DbContextOptionsBuilder Apply(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString).AddInterceptors(Instance);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Set(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Set(connection);
        return Task.CompletedTask;
    }

    /// <summary>Sets the busy timeout on an open connection (the raw loop's connections too).</summary>
    public static void Set(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {Milliseconds}";
        command.ExecuteNonQuery();
    }
}
