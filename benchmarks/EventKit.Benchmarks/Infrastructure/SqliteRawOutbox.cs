using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// The hand-written outbox on SQLite (Microsoft.Data.Sqlite, no EF Core). Values are stored as EF Core's SQLite
/// provider stores them (GUIDs as upper-case text, times as <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> text), so both
/// read each other's rows.
/// </summary>
public sealed class SqliteRawOutbox(string connectionString, bool relaxed = false) : RawOutbox(connectionString)
{
    private const string Claim =
        "UPDATE events AS e SET status = 'processing', attempts = e.attempts + 1, locked_by = @owner, locked_until = @until, available_at = @until " +
        "WHERE id IN (SELECT id FROM events WHERE status IN ('pending', 'processing', 'failed') AND available_at <= @now " +
        "ORDER BY available_at, id LIMIT @n) RETURNING id, type, payload, attempts";

    private const string Complete =
        "UPDATE events SET status = 'completed', processed_at = @now, locked_by = NULL, locked_until = NULL " +
        "WHERE id IN (SELECT value FROM json_each(@ids)) AND status = 'processing' AND locked_by = @owner";

    private const string InsertColumns = "INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at) VALUES ";

    private static readonly string[] InsertSql = new string[1001];

    public override DbConnection CreateConnection() => new SqliteConnection(ConnectionString);

    public static string Key(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>
    /// Opens a connection that lets SQLite wait for the write lock itself (busy_timeout, as EventKit's SQLite store
    /// does for its own statements) instead of Microsoft.Data.Sqlite's 150 ms sleep-and-retry.
    /// </summary>
    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        SqliteBusyTimeout.Set(connection, relaxed);
        return connection;
    }

    public override async Task InsertOrderAndEventAsync(OrderPlaced payload, DateTime now)
    {
        await using var connection = await OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using (var order = connection.CreateCommand())
        {
            order.Transaction = transaction;
            order.CommandText = "INSERT INTO orders (id, customer, amount, created_at) VALUES (@id, @customer, @amount, @now)";
            order.Parameters.AddWithValue("@id", Key(payload.OrderId));
            order.Parameters.AddWithValue("@customer", payload.Customer);
            order.Parameters.AddWithValue("@amount", payload.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            order.Parameters.AddWithValue("@now", now);
            await order.ExecuteNonQueryAsync();
        }

        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = InsertSqlFor(1);
            AddEvent(insert.Parameters, 0, payload, now);
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public override async Task InsertOrderAsync(OrderPlaced payload, DateTime now)
    {
        await using var connection = await OpenAsync();
        await using var order = connection.CreateCommand();
        order.CommandText = "INSERT INTO orders (id, customer, amount, created_at) VALUES (@id, @customer, @amount, @now)";
        order.Parameters.AddWithValue("@id", Key(payload.OrderId));
        order.Parameters.AddWithValue("@customer", payload.Customer);
        order.Parameters.AddWithValue("@amount", payload.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        order.Parameters.AddWithValue("@now", now);
        await order.ExecuteNonQueryAsync();
    }

    public override async Task InsertEventsOneByOneAsync(IReadOnlyList<OrderPlaced> payloads, DateTime now)
    {
        await using var connection = await OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        foreach (var payload in payloads)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = InsertSqlFor(1);
            AddEvent(command.Parameters, 0, payload, now);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public override async Task InsertEventsAsync(IReadOnlyList<OrderPlaced> payloads, DateTime now)
    {
        await using var connection = await OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertSqlFor(payloads.Count);
        for (var i = 0; i < payloads.Count; i++)
        {
            AddEvent(command.Parameters, i, payloads[i], now);
        }

        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public override async Task<List<ClaimedRow>> ClaimAsync(string owner, int count, DateTime now, DateTime leaseUntil)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = Claim;
        command.Parameters.AddWithValue("@owner", owner);
        command.Parameters.AddWithValue("@until", leaseUntil);
        command.Parameters.AddWithValue("@now", now);
        command.Parameters.AddWithValue("@n", count);
        var rows = new List<ClaimedRow>(count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new ClaimedRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        }

        return rows;
    }

    public override async Task<int> CompleteAsync(List<ClaimedRow> claimed, string owner, DateTime now)
    {
        var ids = new StringBuilder(claimed.Count * 40).Append('[');
        for (var i = 0; i < claimed.Count; i++)
        {
            ids.Append(i == 0 ? "\"" : ",\"").Append(Key(claimed[i].Id)).Append('"');
        }

        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = Complete;
        command.Parameters.AddWithValue("@now", now);
        command.Parameters.AddWithValue("@ids", ids.Append(']').ToString());
        command.Parameters.AddWithValue("@owner", owner);
        return await command.ExecuteNonQueryAsync();
    }

    public override async Task BulkInsertPendingAsync(int count, DateTime now)
    {
        await using var connection = await OpenAsync();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertSqlFor(1);
        var id = command.Parameters.Add("@id0", SqliteType.Text);
        var entityId = command.Parameters.Add("@eid0", SqliteType.Text);
        var json = command.Parameters.Add("@p0", SqliteType.Text);
        command.Parameters.AddWithValue("@now", now);
        command.Prepare();
        for (var i = 0; i < count; i++)
        {
            var payload = OrderPlaced.Create(i);
            id.Value = Key(Guid.CreateVersion7());
            entityId.Value = payload.OrderId.ToString();
            json.Value = Serialize(payload);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        await using var analyze = connection.CreateCommand();
        analyze.CommandText = "ANALYZE";
        await analyze.ExecuteNonQueryAsync();
    }

    public override async Task ResetAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM event_logs; DELETE FROM events; DELETE FROM orders; PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync();
    }

    public override async Task<long> CountAsync(EventStatus status)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM events WHERE status = @status";
        command.Parameters.AddWithValue("@status", status.ToStorageString());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static string InsertSqlFor(int rows)
    {
        if (rows < InsertSql.Length && InsertSql[rows] is { } cached)
        {
            return cached;
        }

        var sql = new StringBuilder(InsertColumns);
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "" : ", ")
                .Append($"(@id{i}, '{OrderPlaced.EventType}', '{OrderPlaced.Entity}', @eid{i}, @p{i}, 'pending', 0, @now, @now)");
        }

        var text = sql.ToString();
        if (rows < InsertSql.Length)
        {
            InsertSql[rows] = text;
        }

        return text;
    }

    private static void AddEvent(SqliteParameterCollection parameters, int i, OrderPlaced payload, DateTime now)
    {
        parameters.AddWithValue($"@id{i}", Key(Guid.CreateVersion7()));
        parameters.AddWithValue($"@eid{i}", payload.OrderId.ToString());
        parameters.AddWithValue($"@p{i}", Serialize(payload));
        if (i == 0)
        {
            parameters.AddWithValue("@now", now);
        }
    }
}
