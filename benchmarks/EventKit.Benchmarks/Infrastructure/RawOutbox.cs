using System.Data.Common;
using System.Text.Json;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// The baseline: the same outbox work written by hand with ADO.NET, no EventKit and no EF Core. Per event it
/// inserts the row (with the business row, in one transaction, or many rows in one multi-row INSERT), claims
/// batches with one UPDATE … RETURNING (SKIP LOCKED on PostgreSQL), runs a no-op, and completes the batch with one
/// UPDATE. It writes no handler log: that is EventKit's feature, and its cost is part of what the ratio shows.
/// </summary>
public abstract class RawOutbox
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected RawOutbox(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public abstract DbConnection CreateConnection();

    /// <summary>One request: the business row and its event in one transaction.</summary>
    public abstract Task InsertOrderAndEventAsync(OrderPlaced payload, DateTime now);

    /// <summary>
    /// The request in the fewest round trips the database allows: on PostgreSQL one batch of both INSERTs with no
    /// explicit transaction (one implicit transaction, one round trip); SQLite needs its transaction, so as
    /// <see cref="InsertOrderAndEventAsync"/>.
    /// </summary>
    public virtual Task InsertOrderAndEventOneRoundTripAsync(OrderPlaced payload, DateTime now) => InsertOrderAndEventAsync(payload, now);

    /// <summary>One request without an event: the business row alone, one statement in autocommit.</summary>
    public abstract Task InsertOrderAsync(OrderPlaced payload, DateTime now);

    /// <summary>One multi-row INSERT of <paramref name="payloads"/> in one transaction.</summary>
    public abstract Task InsertEventsAsync(IReadOnlyList<OrderPlaced> payloads, DateTime now);

    /// <summary>One INSERT statement per event, executed one after another (a round trip each), in one transaction.</summary>
    public abstract Task InsertEventsOneByOneAsync(IReadOnlyList<OrderPlaced> payloads, DateTime now);

    /// <summary>
    /// One INSERT statement per event, all sent as one batch (one round trip; PostgreSQL <c>NpgsqlBatch</c>) in one
    /// transaction: what EF Core sends for the same rows. SQLite has no round trips, so as <see cref="InsertEventsOneByOneAsync"/>.
    /// </summary>
    public virtual Task InsertEventsStatementBatchAsync(IReadOnlyList<OrderPlaced> payloads, DateTime now) => InsertEventsOneByOneAsync(payloads, now);

    /// <summary>Leases up to <paramref name="count"/> runnable events to <paramref name="owner"/> with one statement.</summary>
    public abstract Task<List<ClaimedRow>> ClaimAsync(string owner, int count, DateTime now, DateTime leaseUntil);

    /// <summary>Completes the batch with one UPDATE (still guarded by the lease owner).</summary>
    public abstract Task<int> CompleteAsync(List<ClaimedRow> claimed, string owner, DateTime now);

    /// <summary>Setup only: inserts <paramref name="count"/> pending events as fast as the database can.</summary>
    public abstract Task BulkInsertPendingAsync(int count, DateTime now);

    /// <summary>Setup only: empties the events, their logs and the orders.</summary>
    public abstract Task ResetAsync();

    /// <summary>Counts events in a status (verification, not measured).</summary>
    public abstract Task<long> CountAsync(EventStatus status);

    public static string Serialize(OrderPlaced payload) => JsonSerializer.Serialize(payload, Json);

    /// <summary>The raw loop's dispatch: deserialize the payload and call a no-op handler.</summary>
    public static void Dispatch(in ClaimedRow row, Action<OrderPlaced> handler)
    {
        var payload = JsonSerializer.Deserialize<OrderPlaced>(row.Payload, Json)!;
        handler(payload);
    }
}
