using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// Sets <c>PRAGMA busy_timeout</c> on every connection the benchmark application's context opens, as a SQLite
/// application with concurrent writers should (otherwise Microsoft.Data.Sqlite sleeps 150 ms on a busy database).
/// The raw loop opens its connections with the same setting, so both sides wait for the write lock the same way.
/// </summary>
internal sealed class SqliteBusyTimeout(bool relaxed) : DbConnectionInterceptor
{
    public const int Milliseconds = 30_000;

    public static readonly SqliteBusyTimeout Instance = new(relaxed: false);

    /// <summary>Also sets <c>synchronous=OFF</c> (diagnostic CPU runs only, see <see cref="BenchDatabase.Relaxed"/>).</summary>
    public static readonly SqliteBusyTimeout RelaxedInstance = new(relaxed: true);

    public static DbContextOptionsBuilder Apply(DbContextOptionsBuilder options, string connectionString, bool relaxed = false) =>
        options.UseSqlite(connectionString).AddInterceptors(relaxed ? RelaxedInstance : Instance);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Set(connection, relaxed);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Set(connection, relaxed);
        return Task.CompletedTask;
    }

    /// <summary>Sets the busy timeout on an open connection (the raw loop's connections too).</summary>
    public static void Set(DbConnection connection, bool relaxed = false)
    {
        using var command = connection.CreateCommand();
        command.CommandText = relaxed ? $"PRAGMA busy_timeout = {Milliseconds}; PRAGMA synchronous = OFF" : $"PRAGMA busy_timeout = {Milliseconds}";
        command.ExecuteNonQuery();
    }
}
