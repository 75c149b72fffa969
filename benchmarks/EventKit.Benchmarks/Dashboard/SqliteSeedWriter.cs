using System.Globalization;
using EventKit.Benchmarks.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace EventKit.Benchmarks.Dashboard;

/// <summary>
/// SQLite: one connection, WAL, <c>synchronous=OFF</c> while seeding, prepared INSERTs in one transaction. Values
/// are written as EF Core's SQLite provider stores them (ids as upper-case text, times as
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>).
/// </summary>
internal sealed class SqliteSeedWriter(string path) : ISeedWriter
{
    private readonly string _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();

    public BenchDbContext CreateContext() =>
        new SqliteBenchDbContext(new DbContextOptionsBuilder<SqliteBenchDbContext>().UseSqlite(_connectionString).Options);

    public async Task<(long Events, long Logs)> WriteAsync(IEnumerable<(SeedRows.Event Event, SeedRows.Log? Log)> rows)
    {
        await using var connection = await OpenAsync();
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var events = Insert(connection, transaction, "events", SeedRows.EventColumns);
        await using var logs = Insert(connection, transaction, "event_logs", SeedRows.LogColumns);
        long eventCount = 0, logCount = 0;
        foreach (var (row, log) in rows)
        {
            Bind(events, row.Values);
            await events.ExecuteNonQueryAsync();
            eventCount++;
            if (log is { } l)
            {
                Bind(logs, l.Values);
                await logs.ExecuteNonQueryAsync();
                logCount++;
            }
        }

        await transaction.CommitAsync();
        return (eventCount, logCount);
    }

    public async Task WriteExtrasAsync(DateTime now)
    {
        await using var connection = await OpenAsync();
        var at = Text(now);
        await ExecuteAsync(connection,
            $"INSERT INTO event_type_pauses (type, paused_by, reason, paused_at) VALUES ('payment.failed', 'ops@example.com', 'gateway outage', '{at}');" +
            $"INSERT INTO event_processors (id, host, started_at, last_seen_at, in_flight) VALUES ('web-1:seed', 'web-1', '{at}', '{at}', 12), ('web-2:seed', 'web-2', '{at}', '{at}', 3);");
    }

    public async Task AnalyzeAsync()
    {
        await using var connection = await OpenAsync();
        await ExecuteAsync(connection, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static SqliteCommand Insert(SqliteConnection connection, SqliteTransaction transaction, string table, string[] columns)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"@p{i}"))})";
        for (var i = 0; i < columns.Length; i++)
        {
            command.Parameters.Add(new SqliteParameter($"@p{i}", null));
        }

        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] switch
            {
                null => DBNull.Value,
                Guid id => id.ToString().ToUpperInvariant(),
                DateTime time => Text(time),
                var other => other,
            };
        }
    }

    private static string Text(DateTime time) => time.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture);
}
