using System.Data.Common;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// PostgreSQL: the claim locks its rows with <c>FOR UPDATE SKIP LOCKED</c> so concurrent claimers take disjoint rows
/// without waiting for each other; a batch settles in one statement (status changes and log rows from
/// <c>unnest</c> of array parameters), so one round trip and one commit. Leases are granted, renewed and expired by
/// the database's clock, the one clock every instance shares, so an instance whose clock is wrong can neither take over
/// a live lease nor let its own lapse early.
/// </summary>
internal sealed class PostgreSqlDialect(string events, string logs, string pauses, string processors, string payloadType) : StoreDialect(events, logs, pauses, processors)
{
    // Due times (pending and failed rows) are compared with the caller's clock (@now): they were computed by the clocks
    // of the instances that published or retried them, and an instance always sees its own new events as due at once.
    // A processing row's available_at is its lease expiry, set by the database's clock, so it is compared with now()
    // (the statement's start: never later than the database's time). The index condition takes the later of the two, so
    // one range scan of the runnable index in due order serves both; the filter applies each row's own clock.
    private const string Due =
        $"{RunnableStatus} AND \"available_at\" <= GREATEST(@now, now()) " +
        "AND CASE WHEN \"status\" = 'processing' THEN \"available_at\" <= now() ELSE \"available_at\" <= @now END";
    // One row: plain parameters. Many rows: one statement over unnest of arrays, so the text and the parameter count
    // do not grow with the batch. Both skip a row whose idempotency key is already stored (or is being stored by a
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

    private string InsertManySql(bool leased) => _insertManySql[leased ? 1 : 0] ??= BuildInsertMany(leased);

    private string BuildInsertMany(bool leased)
    {
        var p = leased ? "@ekl_" : "@ek_";
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

    public override void AppendInsert(DbCommand command, IReadOnlyList<EventRecord> events, HandOffReservation? handOff, DateTimeOffset? wakeDueBy = null)
    {
        var (pending, leased) = Split(events, handOff);
        var text = command.CommandText.AsSpan().TrimEnd();
        var sql = Sql(pending, leased, handOff, wakeDueBy);
        command.CommandText = text.Length == 0 ? sql : string.Concat(text, text[^1] == ';' ? "\n" : ";\n", sql);
        AddInsertParameters(command, pending, leased, handOff);
    }

    public override async Task InsertAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventRecord> events, HandOffReservation? handOff, bool async, CancellationToken cancellationToken, DateTimeOffset? wakeDueBy = null)
    {
        var (pending, leased) = Split(events, handOff);
        var command = CreateCommand(connection, transaction, timeout, Sql(pending, leased, handOff, wakeDueBy));
        await using (command.ConfigureAwait(false))
        {
            AddInsertParameters(command, pending, leased, handOff);
            await ExecuteAsync(command, async, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One statement per kind of row present: the pending rows, then the leased ones; then, when a pending row is due by
    /// <paramref name="wakeDueBy"/>, a <c>NOTIFY</c> (sent on commit; PostgreSQL folds identical notifications of one
    /// transaction into one, so a transaction that saves many times still wakes each listener once).
    /// </summary>
    private string Sql(IReadOnlyList<EventRecord> pending, IReadOnlyList<EventRecord> leased, HandOffReservation? handOff, DateTimeOffset? wakeDueBy)
    {
        var sql = Sql(pending, leased, handOff);
        return wakeDueBy is { } due && AnyDue(pending, due) ? string.Concat(sql, ";\nNOTIFY ", QuotedChannel) : sql;
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

    private string Sql(IReadOnlyList<EventRecord> pending, IReadOnlyList<EventRecord> leased, HandOffReservation? handOff)
    {
        var first = pending.Count switch
        {
            0 => null,
            1 => InsertOneSql(pending[0], leased: false),
            _ => InsertManySql(leased: false),
        };
        if (handOff is null || leased.Count == 0)
        {
            return first!;
        }

        var second = leased.Count == 1 ? InsertOneSql(leased[0], leased: true) : InsertManySql(leased: true);
        return first is null ? second : string.Concat(first, ";\n", second);
    }

    private static void AddInsertParameters(DbCommand command, IReadOnlyList<EventRecord> pending, IReadOnlyList<EventRecord> leased, HandOffReservation? handOff)
    {
        if (pending.Count > 0)
        {
            AddRows(command, pending, PendingNames);
            AddParameter(command, "@ek_ordering", pending.Count == 1 ? (int)pending[0].Ordering : pending.Select(e => (int)e.Ordering).ToArray());
        }

        if (handOff is not null && leased.Count > 0)
        {
            AddRows(command, leased, LeasedNames);
            AddParameter(command, "@ekl_owner", handOff.Owner);
            AddParameter(command, "@ekl_lease", handOff.LeaseDuration);
        }
    }

    private static readonly string[] Columns = ["id", "type", "entity", "entity_id", "payload", "available_at", "created_at", "actor", "correlation_id", "idempotency_key", "trace_parent"];

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

    /// <summary>The parameters of <paramref name="events"/>' rows, named by <paramref name="names"/> (a leased single row has no available_at).</summary>
    private static void AddRows(DbCommand command, IReadOnlyList<EventRecord> events, string[] names)
    {
        if (events.Count == 1)
        {
            var e = events[0];
            AddParameter(command, names[0], e.Id);
            AddParameter(command, names[1], e.Type);
            AddParameter(command, names[2], e.Entity);
            AddParameter(command, names[3], e.EntityId);
            AddParameter(command, names[4], e.Payload);
            if (ReferenceEquals(names, PendingNames))
            {
                AddParameter(command, names[5], e.AvailableAt.UtcDateTime);
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
    }

    /// <summary>
    /// Parameters <c>@owner</c>, <c>@now</c>, <c>@limit</c>, <c>@lease</c> (an interval), <c>@max_bytes</c>. c locks the
    /// candidates in due order with their payload sizes; b adds the running total in that order (window functions are
    /// not allowed beside FOR UPDATE, but are over its result) and the lease expiry, <c>clock_timestamp() + @lease</c>,
    /// once per row so locked_until and available_at agree; the UPDATE takes the prefix within the budget (always the
    /// first row). It is wrapped so its rows come back in the order they were due (UPDATE … RETURNING has no order).
    /// </summary>
    public override string ClaimSql { get; } =
        $"WITH c AS (SELECT \"id\", \"available_at\", octet_length(\"payload\"::text) AS \"size\" FROM {events} AS q WHERE {Due} AND {NotPaused(pauses, "q")} AND {StoreOrdering.NotHeldBack(events, "q")} " +
        "ORDER BY \"available_at\", \"id\" LIMIT @limit FOR UPDATE SKIP LOCKED), " +
        "b AS (SELECT \"id\", \"available_at\", sum(\"size\") OVER w AS \"total\", row_number() OVER w AS \"n\", clock_timestamp() + @lease AS \"lease\" " +
        "FROM c WINDOW w AS (ORDER BY \"available_at\", \"id\")), " +
        $"claimed AS (UPDATE {events} AS e SET {ClaimSet("b.\"lease\"")} FROM b WHERE e.\"id\" = b.\"id\" AND (b.\"n\" = 1 OR b.\"total\" <= @max_bytes) " +
        $"RETURNING {Qualified("e", ClaimColumns)}, " +
        $"NULLIF(ARRAY(SELECT l.\"action\" FROM {logs} AS l WHERE l.\"event_id\" = e.\"id\" AND {StillSucceeded(logs)}), '{{}}') AS \"succeeded\", " +
        "e.\"locked_until\", b.\"available_at\" AS \"due\") " +
        $"SELECT {ClaimColumns}, \"succeeded\", \"locked_until\" FROM claimed ORDER BY \"due\", \"id\"";

    private string RenewSql { get; } =
        $"UPDATE {events} SET {RenewSet("t.\"lease\"")} FROM (SELECT clock_timestamp() + @lease AS \"lease\") AS t " +
        $"WHERE \"id\" = ANY(@ids) AND {RenewWhere} RETURNING \"id\"";

    public override string Name => "PostgreSQL";

    public override bool SettleNeedsTransaction => false;

    public override string AverageProcessingSecondsSql { get; } =
        $"SELECT CAST(AVG(EXTRACT(EPOCH FROM (\"processed_at\" - \"created_at\"))) AS double precision) AS \"Value\" FROM {events} WHERE \"status\" = 'completed'";

    /// <summary>
    /// One statement: the update and the log insert are data-modifying CTEs of the same statement, so they commit
    /// together (or neither does) without an explicit transaction. Log rows already stored (a settle repeated after
    /// its acknowledgement was lost) are skipped, so a retry is harmless.
    /// </summary>
    private string SettleSql { get; } =
        "WITH v AS (SELECT * FROM unnest(@ids, @statuses, @available_at, @processed_at, @errors, @ran) AS v(id, status, available_at, processed_at, error, ran)), " +
        $"u AS (UPDATE {events} AS e SET {SettleSet} FROM v WHERE {SettleWhere} RETURNING 1), " +
        $"l AS ({InsertLogsSql(logs)}) " +
        "SELECT count(*) FROM u";

    // NULL when none succeeded (NULLIF in the claim), so the common case reads no array.
    public override IReadOnlyCollection<string> ReadSucceeded(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : new HashSet<string>(reader.GetFieldValue<string[]>(ordinal), StringComparer.Ordinal);

    public override async Task<IReadOnlyList<ClaimedEvent>> ClaimAsync(DbConnection connection, DbTransaction? transaction, int? timeout, string owner, DateTimeOffset now, TimeSpan leaseDuration, int limit, int maxPayloadBytes, CancellationToken cancellationToken)
    {
        var command = CreateCommand(connection, transaction, timeout, ClaimSql);
        await using (command.ConfigureAwait(false))
        {
            AddParameter(command, "@owner", owner);
            AddParameter(command, "@now", now.UtcDateTime);
            AddParameter(command, "@limit", limit);
            AddParameter(command, "@lease", leaseDuration);
            AddParameter(command, "@max_bytes", (long)maxPayloadBytes);
            return await ReadClaimedAsync(command, limit, owner, leaseUntil: null, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<IReadOnlyCollection<Guid>> RenewAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyCollection<Guid> ids, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var command = CreateCommand(connection, transaction, timeout, RenewSql);
        await using (command.ConfigureAwait(false))
        {
            AddParameter(command, "@owner", owner);
            AddParameter(command, "@lease", leaseDuration);
            AddParameter(command, "@ids", ids as Guid[] ?? [.. ids]);
            return await ReadRenewedAsync(command, ids.Count, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<int> SettleAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventOutcome> outcomes, int logs, string owner, CancellationToken cancellationToken)
    {
        var ids = new Guid[outcomes.Count];
        var statuses = new string[outcomes.Count];
        var availableAt = new DateTime?[outcomes.Count];
        var processedAt = new DateTime?[outcomes.Count];
        var errors = new string?[outcomes.Count];
        var ran = new bool[outcomes.Count];
        var entries = new List<EventLogEntry>(logs);
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            ids[i] = outcome.EventId;
            statuses[i] = outcome.Status.ToStorageString();
            (availableAt[i], processedAt[i]) = Times(outcome);
            errors[i] = outcome.Error;
            ran[i] = outcome.Logs.Count > 0;
            entries.AddRange(outcome.Logs);
        }

        var command = CreateCommand(connection, transaction, timeout, SettleSql);
        await using (command.ConfigureAwait(false))
        {
            AddParameter(command, "@owner", owner);
            AddParameter(command, "@ids", ids);
            AddParameter(command, "@statuses", statuses);
            AddParameter(command, "@available_at", availableAt);
            AddParameter(command, "@processed_at", processedAt);
            AddParameter(command, "@errors", errors);
            AddParameter(command, "@ran", ran);
            AddLogParameters(command, entries);
            var count = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return Convert.ToInt32(count, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    protected override string Milliseconds(string from, string to) => $"round(extract(epoch from ({to} - {from})) * 1000)";

    protected override string Bucket(string time) => $"floor(extract(epoch from ({time} - @from)) / @width)::bigint";

    public override object IdValue(Guid id) => id;

    public override async Task InsertLogsAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventLogEntry> entries, CancellationToken cancellationToken)
    {
        var command = CreateCommand(connection, transaction, timeout, InsertLogsSql(LogsTable));
        await using (command.ConfigureAwait(false))
        {
            AddLogParameters(command, entries);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Inserts the log rows of the <c>@log_*</c> arrays; rows already stored (a repeated settle) are skipped.</summary>
    private static string InsertLogsSql(string logs) =>
        $"INSERT INTO {logs} ({LogColumns}) SELECT * FROM unnest(@log_ids, @log_event_ids, @log_kinds, @log_actions, @log_performed_by, @log_results, @log_errors, @log_reasons, @log_attempts, @log_durations, @log_created_at) ON CONFLICT (\"id\") DO NOTHING";

    private static void AddLogParameters(DbCommand command, IReadOnlyList<EventLogEntry> entries)
    {
        var n = entries.Count;
        var ids = new Guid[n];
        var eventIds = new Guid[n];
        var kinds = new string[n];
        var actions = new string[n];
        var actor = new string?[n];
        var results = new string[n];
        var errors = new string?[n];
        var reasons = new string?[n];
        var attempts = new int[n];
        var durations = new double[n];
        var createdAt = new DateTime[n];
        for (var i = 0; i < n; i++)
        {
            var log = entries[i];
            ids[i] = log.Id;
            eventIds[i] = log.EventId;
            kinds[i] = EventLogEntity.KindString(log.Kind);
            actions[i] = log.Handler;
            actor[i] = log.Actor;
            results[i] = EventLogEntity.ResultString(log.Result);
            errors[i] = log.Error;
            reasons[i] = log.Reason;
            attempts[i] = log.Attempt;
            durations[i] = log.Duration.TotalMilliseconds;
            createdAt[i] = log.CreatedAt.UtcDateTime;
        }

        AddParameter(command, "@log_ids", ids);
        AddParameter(command, "@log_event_ids", eventIds);
        AddParameter(command, "@log_kinds", kinds);
        AddParameter(command, "@log_actions", actions);
        AddParameter(command, "@log_performed_by", actor);
        AddParameter(command, "@log_results", results);
        AddParameter(command, "@log_errors", errors);
        AddParameter(command, "@log_reasons", reasons);
        AddParameter(command, "@log_attempts", attempts);
        AddParameter(command, "@log_durations", durations);
        AddParameter(command, "@log_created_at", createdAt);
    }

    private static string Qualified(string alias, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));
}
