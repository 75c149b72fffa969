using System.Data.Common;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>The hand-written outbox on PostgreSQL (Npgsql, no EF Core).</summary>
public sealed class PostgresRawOutbox(string connectionString) : RawOutbox(connectionString)
{
    private const string Claim =
        "UPDATE events AS e SET status = 'processing', attempts = e.attempts + 1, locked_by = @owner, locked_until = @until, available_at = @until " +
        "FROM (SELECT id FROM events WHERE status IN ('pending', 'processing', 'failed') AND available_at <= @now " +
        "ORDER BY available_at, id LIMIT @n FOR UPDATE SKIP LOCKED) AS c WHERE e.id = c.id RETURNING e.*";

    private const string Complete =
        "UPDATE events SET status = 'completed', processed_at = @now, locked_by = NULL, locked_until = NULL " +
        "WHERE id = ANY(@ids) AND status = 'processing' AND locked_by = @owner";

    private const string InsertColumns = "INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at) VALUES ";

    private static readonly string[] InsertSql = new string[1001];

    public override DbConnection CreateConnection() => new NpgsqlConnection(ConnectionString);

    public override async Task InsertOrderAndEventAsync(OrderPlaced payload, DateTime now)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        var order = new NpgsqlBatchCommand("INSERT INTO orders (id, customer, amount, created_at) VALUES (@id, @customer, @amount, @now)");
        order.Parameters.AddWithValue("id", payload.OrderId);
        order.Parameters.AddWithValue("customer", payload.Customer);
        order.Parameters.AddWithValue("amount", payload.Amount);
        order.Parameters.AddWithValue("now", now);
        batch.BatchCommands.Add(order);
        var insert = new NpgsqlBatchCommand(InsertSqlFor(1));
        AddEvent(insert.Parameters, 0, payload, now);
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public override async Task InsertOrderAndEventOneRoundTripAsync(OrderPlaced payload, DateTime now)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        var order = new NpgsqlBatchCommand("INSERT INTO orders (id, customer, amount, created_at) VALUES (@id, @customer, @amount, @now)");
        order.Parameters.AddWithValue("id", payload.OrderId);
        order.Parameters.AddWithValue("customer", payload.Customer);
        order.Parameters.AddWithValue("amount", payload.Amount);
        order.Parameters.AddWithValue("now", now);
        batch.BatchCommands.Add(order);
        var insert = new NpgsqlBatchCommand(InsertSqlFor(1));
        AddEvent(insert.Parameters, 0, payload, now);
        batch.BatchCommands.Add(insert);
        await batch.ExecuteNonQueryAsync();
    }

    public override async Task InsertOrderAsync(OrderPlaced payload, DateTime now)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var order = new NpgsqlCommand("INSERT INTO orders (id, customer, amount, created_at) VALUES (@id, @customer, @amount, @now)", connection);
        order.Parameters.AddWithValue("id", payload.OrderId);
        order.Parameters.AddWithValue("customer", payload.Customer);
        order.Parameters.AddWithValue("amount", payload.Amount);
        order.Parameters.AddWithValue("now", now);
        await order.ExecuteNonQueryAsync();
    }

    public override async Task InsertEventsStatementBatchAsync(IReadOnlyList<OrderPlaced> payloads, DateTime now)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var payload in payloads)
        {
            var insert = new NpgsqlBatchCommand(InsertSqlFor(1));
            AddEvent(insert.Parameters, 0, payload, now);
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public override async Task InsertEventsOneByOneAsync(IReadOnlyList<OrderPlaced> payloads, DateTime now)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var payload in payloads)
        {
            await using var command = new NpgsqlCommand(InsertSqlFor(1), connection, transaction);
            AddEvent(command.Parameters, 0, payload, now);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public override async Task InsertEventsAsync(IReadOnlyList<OrderPlaced> payloads, DateTime now)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(InsertSqlFor(payloads.Count), connection, transaction);
        for (var i = 0; i < payloads.Count; i++)
        {
            AddEvent(command.Parameters, i, payloads[i], now);
        }

        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public override async Task<List<ClaimedRow>> ClaimAsync(string owner, int count, DateTime now, DateTime leaseUntil)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Claim, connection);
        command.Parameters.AddWithValue("owner", owner);
        command.Parameters.AddWithValue("until", leaseUntil);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("n", count);
        var rows = new List<ClaimedRow>(count);
        await using var reader = await command.ExecuteReaderAsync();
        int id = reader.GetOrdinal("id"), type = reader.GetOrdinal("type"), payload = reader.GetOrdinal("payload"), attempts = reader.GetOrdinal("attempts");
        while (await reader.ReadAsync())
        {
            rows.Add(new ClaimedRow(reader.GetGuid(id), reader.GetString(type), reader.GetString(payload), reader.GetInt32(attempts)));
        }

        return rows;
    }

    public override async Task<int> CompleteAsync(List<ClaimedRow> claimed, string owner, DateTime now)
    {
        var ids = new Guid[claimed.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = claimed[i].Id;
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(Complete, connection);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("owner", owner);
        return await command.ExecuteNonQueryAsync();
    }

    public override async Task BulkInsertPendingAsync(int count, DateTime now)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                var payload = OrderPlaced.Create(i);
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(OrderPlaced.EventType, NpgsqlDbType.Varchar);
                await writer.WriteAsync(OrderPlaced.Entity, NpgsqlDbType.Varchar);
                await writer.WriteAsync(payload.OrderId.ToString(), NpgsqlDbType.Varchar);
                await writer.WriteAsync(Serialize(payload), NpgsqlDbType.Json);
                await writer.WriteAsync("pending", NpgsqlDbType.Varchar);
                await writer.WriteAsync(0, NpgsqlDbType.Integer);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await writer.CompleteAsync();
        }

        // Fresh statistics, as autovacuum would have them after a real backlog built up.
        await using var analyze = new NpgsqlCommand("ANALYZE events", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    public override async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("TRUNCATE event_logs, events, orders", connection);
        await command.ExecuteNonQueryAsync();
    }

    public override async Task<long> CountAsync(EventStatus status)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM events WHERE status = @status", connection);
        command.Parameters.AddWithValue("status", status.ToStorageString());
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

    private static void AddEvent(NpgsqlParameterCollection parameters, int i, OrderPlaced payload, DateTime now)
    {
        parameters.AddWithValue($"id{i}", Guid.CreateVersion7());
        parameters.AddWithValue($"eid{i}", payload.OrderId.ToString());
        parameters.AddWithValue($"p{i}", NpgsqlDbType.Json, Serialize(payload));
        if (i == 0)
        {
            parameters.AddWithValue("now", now);
        }
    }
}
