using System.Data.Common;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// PostgreSQL: the claim locks its rows with <c>FOR UPDATE SKIP LOCKED</c> so concurrent claimers take disjoint rows
/// without waiting for each other; a batch settles in one statement (status changes and log rows from
/// <c>unnest</c> of array parameters), so one round trip and one commit. Leases are granted, renewed and expired by
/// the database's clock, the one clock every instance shares, so an instance whose clock is wrong can neither take over
/// a live lease nor let its own lapse early.
/// </summary>
internal sealed partial class PostgreSqlDialect(string events, string logs, string pauses, string processors, string payloadType) : StoreDialect(events, logs, pauses, processors)
{
    // Due times (pending and failed rows) are compared with the caller's clock (@now): they were computed by the clocks
    // of the instances that published or retried them, and an instance always sees its own new events as due at once.
    // A processing row's available_at is its lease expiry, set by the database's clock, so it is compared with now()
    // (the statement's start: never later than the database's time). The index condition takes the later of the two, so
    // one range scan of the runnable index in due order serves both; the filter applies each row's own clock.
    private const string Due =
        $"{RunnableStatus} AND \"available_at\" <= GREATEST(@now, now()) " +
        "AND CASE WHEN \"status\" = 'processing' THEN \"available_at\" <= now() ELSE \"available_at\" <= @now END";

    /// <summary>
    /// Parameters <c>@owner</c>, <c>@now</c>, <c>@limit</c>, <c>@lease</c> (an interval), <c>@max_bytes</c>, <c>@excluded</c>
    /// (the types passed over, an array, empty for none; never null elements). The excluded types are a hashed subplan
    /// (NOT IN over unnest), as the paused ones are: a claim that passes over a throttled type's backlog tests each of
    /// those rows against a hash, where <c>&lt;&gt; ALL(@excluded)</c> cost 4-5 times as much per row (measured: 200,000
    /// passed-over rows, 70-110 against 340-420 ms). c locks the
    /// candidates in due order with their payload sizes; b adds the running total in that order (window functions are
    /// not allowed beside FOR UPDATE, but are over its result) and the lease expiry, <c>clock_timestamp() + @lease</c>,
    /// once per row so locked_until and available_at agree; the UPDATE takes the prefix within the budget (always the
    /// first row). It is wrapped so its rows come back in the order they were due (UPDATE … RETURNING has no order).
    /// </summary>
    public override string ClaimSql { get; } =
        $"WITH c AS (SELECT \"id\", \"available_at\", octet_length(\"payload\"::text) AS \"size\" FROM {events} AS q WHERE {Due} AND {NotPaused(pauses, "q")} AND {StoreOrdering.NotHeldBack(events, "q")} " +
        "AND q.\"type\" NOT IN (SELECT unnest(@excluded)) ORDER BY \"available_at\", \"id\" LIMIT @limit FOR UPDATE SKIP LOCKED), " +
        "b AS (SELECT \"id\", \"available_at\", sum(\"size\") OVER w AS \"total\", row_number() OVER w AS \"n\", clock_timestamp() + @lease AS \"lease\" " +
        "FROM c WINDOW w AS (ORDER BY \"available_at\", \"id\")), " +
        $"claimed AS (UPDATE {events} AS e SET {ClaimSet("b.\"lease\"")} FROM b WHERE e.\"id\" = b.\"id\" AND (b.\"n\" = 1 OR b.\"total\" <= @max_bytes) " +
        $"RETURNING {Qualified("e", ClaimColumns)}, " +
        $"NULLIF(ARRAY(SELECT l.\"action\" FROM {logs} AS l WHERE l.\"event_id\" = e.\"id\" AND {StillSucceeded(logs)}), '{{}}') AS \"succeeded\", " +
        "e.\"locked_until\", b.\"available_at\" AS \"due\") " +
        $"SELECT {ClaimColumns}, \"succeeded\", \"locked_until\" FROM claimed ORDER BY \"due\", \"id\"";

    /// <summary>
    /// Renews the rows it can lock at once and never waits for a row lock: a settle of the same rows, which locks them
    /// in another order, would otherwise deadlock with it (40P01, seen under load). A row another transaction holds is
    /// left as it is and still reported as held when this statement's snapshot shows it leased to the owner: the holder
    /// is almost always the owner's own settle, which ends the lease anyway; if it was another instance claiming an
    /// expired lease, the next renewal reports it lost.
    /// </summary>
    private string RenewSql { get; } =
        $"WITH l AS (SELECT \"id\" FROM {events} WHERE \"id\" = ANY(@ids) AND {RenewWhere} FOR UPDATE SKIP LOCKED), " +
        $"u AS (UPDATE {events} AS e SET {RenewSet("t.\"lease\"")} FROM l, (SELECT clock_timestamp() + @lease AS \"lease\") AS t " +
        "WHERE e.\"id\" = l.\"id\" RETURNING e.\"id\") " +
        $"SELECT \"id\" FROM u UNION ALL SELECT \"id\" FROM {events} WHERE \"id\" = ANY(@ids) AND {RenewWhere} AND \"id\" NOT IN (SELECT \"id\" FROM l)";

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

    public override async Task<IReadOnlyList<ClaimedEvent>> ClaimAsync(DbConnection connection, DbTransaction? transaction, int? timeout, string owner, DateTimeOffset now, TimeSpan leaseDuration, int limit, int maxPayloadBytes, string[] excluded, CancellationToken cancellationToken)
    {
        var command = CreateCommand(connection, transaction, timeout, ClaimSql);
        await using (command.ConfigureAwait(false))
        {
            AddParameter(command, "@owner", owner);
            AddParameter(command, "@now", now.UtcDateTime);
            AddParameter(command, "@limit", limit);
            AddParameter(command, "@lease", leaseDuration);
            AddParameter(command, "@max_bytes", (long)maxPayloadBytes);
            AddParameter(command, "@excluded", excluded);
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
