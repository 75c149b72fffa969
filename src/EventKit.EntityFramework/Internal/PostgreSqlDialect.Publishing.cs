using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EventKit.EntityFramework.Internal;

/// <summary>PostgreSQL's side of publishing: EventKit's own INSERT (pending or handed off, one row or many) and its NOTIFY.</summary>
internal sealed partial class PostgreSqlDialect
{
    // One row: plain parameters. Many rows: one statement over unnest of arrays, so the text and the parameter count
    // do not grow with the batch; rows past DefaultMaxStatementBytes (PostgreSQL refuses a message, so one statement's
    // values, over 1 GiB) take one such statement per chunk, in the same command, with parameters @ek{n}_* /
    // @ekl{n}_*: still atomic, and a unit of work of ordinary events is still one statement. Both skip a row whose idempotency key is already stored (or is being stored by a
    // transaction this one then waits for), so the business change of a second unit of work with that key commits.
    // One row: the optional columns that are null are written as NULL literals, not parameters (16 cached shapes).
    // Rows handed off to a processor in this process (EventHandOff) are written leased to it by a second statement of
    // the same shapes, parameters @ekl_*: processing, one attempt, the lease from the database's clock, as a claim
    // would leave them.
    private readonly string?[] _insertOneSql = new string?[32];
    private readonly string?[] _insertManySql = new string?[2];

    private string InsertOneSql(EventRecord e, bool leased)
    {
        var mask = (e.Actor is null ? 1 : 0) | (e.CorrelationId is null ? 2 : 0) | (e.IdempotencyKey is null ? 4 : 0) | (e.TraceParent is null ? 8 : 0);
        return _insertOneSql[mask + (leased ? 16 : 0)] ??= Build();

        string Build()
        {
            var p = leased ? "@ekl_" : "@ek_";
            var optional = $"{((mask & 1) != 0 ? "NULL" : p + "actor")}, {((mask & 2) != 0 ? "NULL" : p + "correlation_id")}, " +
                $"{((mask & 4) != 0 ? "NULL" : p + "idempotency_key")}, {((mask & 8) != 0 ? "NULL" : p + "trace_parent")}";
            return leased
                ? $"INSERT INTO {EventsTable} ({LeasedInsertColumns}) SELECT {p}id, {p}type, {p}entity, {p}entity_id, CAST({p}payload AS {payloadType}), 'processing', 1, " +
                  $"t.lease, {p}created_at, {optional}, {p}owner, t.lease FROM (SELECT clock_timestamp() + {p}lease AS lease) AS t ON CONFLICT DO NOTHING"
                : $"INSERT INTO {EventsTable} ({InsertColumns}, \"ordering\") VALUES ({p}id, {p}type, {p}entity, {p}entity_id, CAST({p}payload AS {payloadType}), 'pending', 0, " +
                  $"{p}available_at, {p}created_at, {optional}, {p}ordering) ON CONFLICT DO NOTHING";
        }
    }

    private string InsertManySql(bool leased) => _insertManySql[leased ? 1 : 0] ??= BuildInsertMany(leased, leased ? "@ekl_" : "@ek_");

    private string BuildInsertMany(bool leased, string p)
    {
        // Leased rows are never ordered (EventHandOff.Eligible), so only pending rows carry their ordering.
        var unnest = $"unnest({p}id, {p}type, {p}entity, {p}entity_id, {p}payload, {p}available_at, {p}created_at, {p}actor, {p}correlation_id, {p}idempotency_key, {p}trace_parent{(leased ? "" : ", " + p + "ordering")}) " +
            $"AS v(id, type, entity, entity_id, payload, available_at, created_at, actor, correlation_id, idempotency_key, trace_parent{(leased ? "" : ", ordering")})";
        return leased
            ? $"INSERT INTO {EventsTable} ({LeasedInsertColumns}) SELECT v.id, v.type, v.entity, v.entity_id, CAST(v.payload AS {payloadType}), 'processing', 1, " +
              $"t.lease, v.created_at, v.actor, v.correlation_id, v.idempotency_key, v.trace_parent, {p}owner, t.lease " +
              $"FROM {unnest}, (SELECT clock_timestamp() + {p}lease AS lease) AS t ON CONFLICT DO NOTHING"
            : $"INSERT INTO {EventsTable} ({InsertColumns}, \"ordering\") SELECT v.id, v.type, v.entity, v.entity_id, CAST(v.payload AS {payloadType}), 'pending', 0, " +
              $"v.available_at, v.created_at, v.actor, v.correlation_id, v.idempotency_key, v.trace_parent, v.ordering FROM {unnest} ON CONFLICT DO NOTHING";
    }

    /// <summary>The channel of <see cref="NotificationChannel"/> for this model's events table.</summary>
    public required string PostgreSqlChannel { get; init; }

    /// <summary><see cref="PostgreSqlChannel"/> as an identifier in SQL (quoted).</summary>
    public required string QuotedChannel { get; init; }

    public override string? Channel => PostgreSqlChannel;

    /// <summary>What a processor's listening connection runs.</summary>
    public string ListenSql => "LISTEN " + QuotedChannel;

    public override bool AppendsToCommand => true;

    public override bool InsertNeedsTransaction(int count) => false;

    public override void AppendInsert(DbCommand command, IReadOnlyList<EventRecord> events, HandOffReservation? handOff, DateTimeOffset? wakeDueBy = null, long maxStatementBytes = DefaultMaxStatementBytes)
    {
        var insert = Rows(events, handOff, maxStatementBytes);
        var text = command.CommandText.AsSpan().TrimEnd();
        var sql = Sql(insert, handOff, wakeDueBy);
        command.CommandText = text.Length == 0 ? sql : string.Concat(text, text[^1] == ';' ? "\n" : ";\n", sql);
        AddInsertParameters(command, insert, handOff);
    }

    public override async Task InsertAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventRecord> events, HandOffReservation? handOff, bool async, CancellationToken cancellationToken, DateTimeOffset? wakeDueBy = null, long maxStatementBytes = DefaultMaxStatementBytes)
    {
        var insert = Rows(events, handOff, maxStatementBytes);
        var command = CreateCommand(connection, transaction, timeout, Sql(insert, handOff, wakeDueBy));
        await using (command.ConfigureAwait(false))
        {
            AddInsertParameters(command, insert, handOff);
            await ExecuteAsync(command, async, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The rows of one INSERT: those written pending and those handed off, each kind cut into statements of at most
    /// <see cref="StoreDialect.DefaultMaxStatementBytes"/> (<see langword="null"/> chunks: one statement).
    /// </summary>
    private readonly record struct InsertRows(
        IReadOnlyList<EventRecord> Pending,
        IReadOnlyList<EventRecord>[]? PendingChunks,
        IReadOnlyList<EventRecord> Leased,
        IReadOnlyList<EventRecord>[]? LeasedChunks);

    private static InsertRows Rows(IReadOnlyList<EventRecord> events, HandOffReservation? handOff, long maxStatementBytes)
    {
        var (pending, leased) = Split(events, handOff);
        return new InsertRows(pending, Chunks(pending, maxStatementBytes), leased, handOff is null ? null : Chunks(leased, maxStatementBytes));
    }

    /// <summary>
    /// <paramref name="rows"/> cut, in order, into runs of at most <paramref name="max"/> estimated bytes each (a row
    /// larger than that goes alone), or <see langword="null"/> when they fit one statement. One row always does; so does
    /// a batch whose upper bound (3 UTF-8 bytes per UTF-16 character) fits, found without reading any payload, so a
    /// unit of work of ordinary events costs only a sum of lengths here.
    /// </summary>
    private static IReadOnlyList<EventRecord>[]? Chunks(IReadOnlyList<EventRecord> rows, long max)
    {
        if (rows.Count <= 1)
        {
            return null;
        }

        long bound = 0;
        foreach (var e in rows)
        {
            bound += RowBytes(e) + (3L * e.Payload.Length);
        }

        if (bound <= max)
        {
            return null;
        }

        var chunks = new List<IReadOnlyList<EventRecord>>();
        var chunk = new List<EventRecord>();
        long size = 0;
        foreach (var e in rows)
        {
            var bytes = RowBytes(e) + Encoding.UTF8.GetByteCount(e.Payload);
            if (chunk.Count > 0 && size + bytes > max)
            {
                chunks.Add(chunk);
                chunk = [];
                size = 0;
            }

            chunk.Add(e);
            size += bytes;
        }

        chunks.Add(chunk);
        return chunks.Count == 1 ? null : [.. chunks];
    }

    /// <summary>
    /// At most what a row's values other than its payload add to a statement: each value's 4-byte length, the id, the
    /// two times and the ordering, and the text columns at 3 UTF-8 bytes per UTF-16 character.
    /// </summary>
    private static long RowBytes(EventRecord e) =>
        96 + (3L * (e.Type.Length + e.Entity.Length + e.EntityId.Length + (e.Actor?.Length ?? 0) + (e.CorrelationId?.Length ?? 0)
            + (e.IdempotencyKey?.Length ?? 0) + (e.TraceParent?.Length ?? 0)));

    /// <summary>
    /// One statement per kind of row present: the pending rows, then the leased ones; then, when a pending row is due by
    /// <paramref name="wakeDueBy"/>, a <c>NOTIFY</c> (sent on commit; PostgreSQL folds identical notifications of one
    /// transaction into one, so a transaction that saves many times still wakes each listener once).
    /// </summary>
    private string Sql(InsertRows rows, HandOffReservation? handOff, DateTimeOffset? wakeDueBy)
    {
        var sql = Sql(rows, handOff);
        return wakeDueBy is { } due && AnyDue(rows.Pending, due) ? string.Concat(sql, ";\nNOTIFY ", QuotedChannel) : sql;
    }

    private static bool AnyDue(IReadOnlyList<EventRecord> pending, DateTimeOffset due)
    {
        foreach (var e in pending)
        {
            if (e.AvailableAt <= due)
            {
                return true;
            }
        }

        return false;
    }

    private string Sql(InsertRows rows, HandOffReservation? handOff)
    {
        var first = rows.PendingChunks is { } chunks ? ChunkedSql(chunks, leased: false) : rows.Pending.Count switch
        {
            0 => null,
            1 => InsertOneSql(rows.Pending[0], leased: false),
            _ => InsertManySql(leased: false),
        };
        if (handOff is null || rows.Leased.Count == 0)
        {
            return first!;
        }

        var second = rows.LeasedChunks is { } leasedChunks ? ChunkedSql(leasedChunks, leased: true)
            : rows.Leased.Count == 1 ? InsertOneSql(rows.Leased[0], leased: true) : InsertManySql(leased: true);
        return first is null ? second : string.Concat(first, ";\n", second);
    }

    /// <summary>One multi-row statement per chunk, each with parameters of its own (the first chunk's are the usual ones).</summary>
    private string ChunkedSql(IReadOnlyList<EventRecord>[] chunks, bool leased) =>
        string.Join(";\n", chunks.Select((_, i) => i == 0 ? InsertManySql(leased) : BuildInsertMany(leased, Prefix(leased, i))));

    private static string Prefix(bool leased, int chunk) =>
        chunk == 0 ? leased ? "@ekl_" : "@ek_" : string.Create(CultureInfo.InvariantCulture, $"{(leased ? "@ekl" : "@ek")}{chunk}_");

    private static void AddInsertParameters(DbCommand command, InsertRows rows, HandOffReservation? handOff)
    {
        if (rows.Pending.Count > 0)
        {
            if (rows.PendingChunks is not { } chunks)
            {
                AddRows(command, rows.Pending, PendingNames, arrays: rows.Pending.Count > 1, leased: false);
            }
            else
            {
                for (var i = 0; i < chunks.Length; i++)
                {
                    AddRows(command, chunks[i], i == 0 ? PendingNames : ParameterNames(Prefix(leased: false, i)), arrays: true, leased: false);
                }
            }
        }

        if (handOff is not null && rows.Leased.Count > 0)
        {
            if (rows.LeasedChunks is not { } chunks)
            {
                AddLeased(command, rows.Leased, LeasedNames, arrays: rows.Leased.Count > 1, handOff);
            }
            else
            {
                for (var i = 0; i < chunks.Length; i++)
                {
                    AddLeased(command, chunks[i], i == 0 ? LeasedNames : ParameterNames(Prefix(leased: true, i)), arrays: true, handOff);
                }
            }
        }
    }

    private static void AddLeased(DbCommand command, IReadOnlyList<EventRecord> events, string[] names, bool arrays, HandOffReservation handOff)
    {
        AddRows(command, events, names, arrays, leased: true);
        AddParameter(command, names[Owner], handOff.Owner);
        AddParameter(command, names[Lease], handOff.LeaseDuration);
    }

    private static readonly string[] Columns =
        ["id", "type", "entity", "entity_id", "payload", "available_at", "created_at", "actor", "correlation_id", "idempotency_key", "trace_parent", "ordering", "owner", "lease"];

    private const int Ordering = 11;
    private const int Owner = 12;
    private const int Lease = 13;

    private static string[] ParameterNames(string prefix) => [.. Columns.Select(n => prefix + n)];

    private static readonly string[] PendingNames = ParameterNames("@ek_");

    private static readonly string[] LeasedNames = ParameterNames("@ekl_");

    private static void AddOptional(DbCommand command, string name, string? value)
    {
        if (value is not null)
        {
            AddParameter(command, name, value);
        }
    }

    /// <summary>
    /// The parameters of <paramref name="events"/>' rows, named by <paramref name="names"/>: plain values for the
    /// single-row statement (a leased one has no available_at, a pending one has its ordering), else arrays.
    /// </summary>
    private static void AddRows(DbCommand command, IReadOnlyList<EventRecord> events, string[] names, bool arrays, bool leased)
    {
        if (!arrays)
        {
            Debug.Assert(events.Count == 1, "Plain values are for one row.");
            var e = events[0];
            AddParameter(command, names[0], e.Id);
            AddParameter(command, names[1], e.Type);
            AddParameter(command, names[2], e.Entity);
            AddParameter(command, names[3], e.EntityId);
            AddParameter(command, names[4], e.Payload);
            if (!leased)
            {
                AddParameter(command, names[5], e.AvailableAt.UtcDateTime);
                AddParameter(command, names[Ordering], (int)e.Ordering);
            }

            AddParameter(command, names[6], e.CreatedAt.UtcDateTime);
            AddOptional(command, names[7], e.Actor);
            AddOptional(command, names[8], e.CorrelationId);
            AddOptional(command, names[9], e.IdempotencyKey);
            AddOptional(command, names[10], e.TraceParent);
            return;
        }

        var n = events.Count;
        var ids = new Guid[n];
        var types = new string[n];
        var entities = new string[n];
        var entityIds = new string[n];
        var payloads = new string[n];
        var availableAt = new DateTime[n];
        var createdAt = new DateTime[n];
        var actors = new string?[n];
        var correlationIds = new string?[n];
        var keys = new string?[n];
        var traceParents = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var e = events[i];
            ids[i] = e.Id;
            types[i] = e.Type;
            entities[i] = e.Entity;
            entityIds[i] = e.EntityId;
            payloads[i] = e.Payload;
            availableAt[i] = e.AvailableAt.UtcDateTime;
            createdAt[i] = e.CreatedAt.UtcDateTime;
            actors[i] = e.Actor;
            correlationIds[i] = e.CorrelationId;
            keys[i] = e.IdempotencyKey;
            traceParents[i] = e.TraceParent;
        }

        AddParameter(command, names[0], ids);
        AddParameter(command, names[1], types);
        AddParameter(command, names[2], entities);
        AddParameter(command, names[3], entityIds);
        AddParameter(command, names[4], payloads);
        AddParameter(command, names[5], availableAt);
        AddParameter(command, names[6], createdAt);
        AddParameter(command, names[7], actors);
        AddParameter(command, names[8], correlationIds);
        AddParameter(command, names[9], keys);
        AddParameter(command, names[10], traceParents);
        if (!leased)
        {
            AddParameter(command, names[Ordering], events.Select(e => (int)e.Ordering).ToArray());
        }
    }
}
