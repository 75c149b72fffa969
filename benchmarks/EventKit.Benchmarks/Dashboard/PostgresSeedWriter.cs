using EventKit.Benchmarks.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace EventKit.Benchmarks.Dashboard;

/// <summary>PostgreSQL: the database is created if missing, rows go in by binary COPY, then VACUUM ANALYZE.</summary>
internal sealed class PostgresSeedWriter(string connectionString) : ISeedWriter
{
    public BenchDbContext CreateContext() =>
        new PostgresBenchDbContext(new DbContextOptionsBuilder<PostgresBenchDbContext>().UseNpgsql(connectionString).Options);

    public async Task<(long Events, long Logs)> WriteAsync(IEnumerable<(SeedRows.Event Event, SeedRows.Log? Log)> rows)
    {
        // Log rows reference events, so they are copied after them, from a second pass over the same seed.
        var all = rows.ToList();
        long events, logs;
        await using (var connection = await OpenAsync())
        {
            events = await CopyAsync(connection, "events", SeedRows.EventColumns, all.Select(r => r.Event.Values));
            logs = await CopyAsync(connection, "event_logs", SeedRows.LogColumns, all.Where(r => r.Log is not null).Select(r => r.Log!.Value.Values));
        }

        return (events, logs);
    }

    public async Task WriteExtrasAsync(DateTime now)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO event_type_pauses (type, paused_by, reason, paused_at) VALUES ('payment.failed', 'ops@example.com', 'gateway outage', @now);" +
            "INSERT INTO event_processors (id, host, started_at, last_seen_at, in_flight) VALUES ('web-1:seed', 'web-1', @now, @now, 12), ('web-2:seed', 'web-2', @now, @now, 3);",
            connection);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync();
    }

    public async Task AnalyzeAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<long> CopyAsync(NpgsqlConnection connection, string table, string[] columns, IEnumerable<object?[]> rows)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)");
        foreach (var values in rows)
        {
            await importer.StartRowAsync();
            foreach (var value in values)
            {
                await (value switch
                {
                    null => importer.WriteNullAsync(),
                    DateTime time => importer.WriteAsync(time, NpgsqlDbType.TimestampTz),
                    Guid id => importer.WriteAsync(id, NpgsqlDbType.Uuid),
                    string text => importer.WriteAsync(text, NpgsqlDbType.Text),
                    int number => importer.WriteAsync(number, NpgsqlDbType.Integer),
                    double number => importer.WriteAsync(number, NpgsqlDbType.Double),
                    var other => throw new InvalidOperationException($"No COPY type for {other.GetType()}."),
                });
            }
        }

        return (long)await importer.CompleteAsync();
    }
}
