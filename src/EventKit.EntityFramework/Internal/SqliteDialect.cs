using System.Data.Common;
using System.Globalization;
using System.Text.Json;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// SQLite has one writer at a time, so a single <c>UPDATE … RETURNING</c> claims atomically. A batch settles in one
/// short write transaction of two statements that read the outcomes and log rows from one JSON parameter each
/// (<c>json_each</c>). Values are written as EF Core's SQLite provider stores them: GUIDs as upper-case text, times as
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c> text. SQLite has no clock of its own that processes could share, so leases are
/// measured by the callers' clocks, with a grace that tolerates skew between them: an expired lease becomes claimable
/// only once it has been expired for a further lease duration.
/// </summary>
internal sealed partial class SqliteDialect(string events, string logs, string pauses, string processors) : StoreDialect(events, logs, pauses, processors)
{
    private const int DefaultTimeoutSeconds = 30;

    private const string TimeFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF";

    // Pending and failed rows are due at @now; a processing row (its available_at is its lease expiry) only once its
    // lease has been expired for a further lease duration, at @expired_before (@now minus the lease duration).
    private const string Runnable =
        $"{RunnableStatus} AND \"available_at\" <= @now AND (\"status\" <> 'processing' OR \"available_at\" <= @expired_before)";

    /// <summary>
    /// Parameters <c>@owner</c>, <c>@now</c>, <c>@expired_before</c>, <c>@lease_until</c>, <c>@ids</c>. No alias on the
    /// updated table: SQLite's RETURNING cannot see one from a subquery. The rows to claim are chosen by DueSql first, in
    /// the same write transaction, because RETURNING has no order and the claim overwrites available_at, the order they
    /// were due in.
    /// </summary>
    public override string ClaimSql { get; } =
        $"UPDATE {events} SET {ClaimSet("@lease_until")} " +
        $"WHERE \"id\" IN (SELECT value FROM json_each(@ids)) AND {Runnable} " +
        $"RETURNING {ClaimColumns}, " +
        $"(SELECT group_concat(l.\"action\", char(10)) FROM {logs} AS l WHERE l.\"event_id\" = {events}.\"id\" AND {StillSucceeded(logs)})";

    // The size of each payload in bytes (a TEXT value cast to BLOB is its UTF-8 bytes), for the claim's budget. Exposed for the plan test.
    public string DueSql { get; } = $"SELECT \"id\", length(CAST(\"payload\" AS BLOB)) FROM {events} AS q WHERE {Runnable} AND {NotPaused(pauses, "q")} AND {StoreOrdering.NotHeldBack(events, "q")} AND q.\"type\" NOT IN (SELECT value FROM json_each(@excluded)) ORDER BY \"available_at\", \"id\" LIMIT @limit";

    private string RenewSql { get; } = $"UPDATE {events} SET {RenewSet("@lease_until")} WHERE \"id\" IN (SELECT value FROM json_each(@ids)) AND {RenewWhere} RETURNING \"id\"";

    public override string Name => "SQLite";

    // EF Core's SQLite provider stores a Guid as upper-case text.
    private static string Key(Guid id)
    {
        return string.Create(36, id, static (span, value) =>
        {
            value.TryFormat(span, out _);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.ToUpperInvariant(span[i]);
            }
        });
    }

    public override bool SettleNeedsTransaction => true;

    public override string AverageProcessingSecondsSql { get; } =
        $"SELECT AVG((julianday(\"processed_at\") - julianday(\"created_at\")) * 86400.0) AS \"Value\" FROM {events} WHERE \"status\" = 'completed'";

    private string UpdateSql { get; } =
        $"UPDATE {events} AS e SET {SettleSet} FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS status, " +
        "json_extract(value, '$[2]') AS available_at, json_extract(value, '$[3]') AS processed_at, json_extract(value, '$[4]') AS error, json_extract(value, '$[5]') AS ran " +
        $"FROM json_each(@outcomes)) AS v WHERE {SettleWhere}";

    private string InsertLogsSql { get; } =
        $"INSERT INTO {logs} ({LogColumns}) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), " +
        "json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), " +
        "json_extract(value, '$[7]'), json_extract(value, '$[8]'), json_extract(value, '$[9]'), json_extract(value, '$[10]') FROM json_each(@logs) WHERE true ON CONFLICT (\"id\") DO NOTHING";

    /// <summary>
    /// Lets SQLite itself wait for the write lock (its busy handler retries after 1, 2, 5, 10, … ms) for up to the
    /// command timeout. Without it Microsoft.Data.Sqlite retries a busy database after sleeping 150 ms, which is what
    /// a claim that meets a publisher's commit would otherwise wait.
    /// </summary>
    public override async Task PrepareAsync(DbConnection connection, DbTransaction? transaction, int? timeout, CancellationToken cancellationToken)
    {
        var command = CreateCommand(connection, transaction, timeout, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeout(timeout)}"));
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sets the busy timeout of an application's connection that has none (<see cref="PrepareAsync"/>): one statement
    /// that reads it, and one more the first time a pooled connection is opened. A timeout set by the application is kept.
    /// </summary>
    public static async ValueTask EnsureBusyTimeoutAsync(DbConnection connection, int? timeout, bool async, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = "PRAGMA busy_timeout";
            var current = async ? await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) : command.ExecuteScalar();
            if (Convert.ToInt64(current, CultureInfo.InvariantCulture) != 0)
            {
                return;
            }

            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeout(timeout)}");
            if (async)
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                command.ExecuteNonQuery();
            }
        }
    }

    /// <summary>The busy timeout in milliseconds for a command timeout in seconds (<see langword="null"/>: the default; 0: no limit).</summary>
    private static long BusyTimeout(int? timeout) => timeout == 0 ? int.MaxValue : Math.Min((long)(timeout ?? DefaultTimeoutSeconds) * 1000, int.MaxValue);

    public override IReadOnlyCollection<string> ReadSucceeded(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : new HashSet<string>(reader.GetString(ordinal).Split('\n'), StringComparer.Ordinal);

    public override async Task<IReadOnlyList<ClaimedEvent>> ClaimAsync(DbConnection connection, DbTransaction? transaction, int? timeout, string owner, DateTimeOffset now, TimeSpan leaseDuration, int limit, int maxPayloadBytes, string[] excluded, CancellationToken cancellationToken)
    {
        var leaseUntil = now + leaseDuration;
        var expiredBefore = now - leaseDuration;

        // One write transaction (BEGIN IMMEDIATE takes the write lock first, so the rows chosen stay runnable).
        var own = transaction is null ? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        try
        {
            var due = new List<string>(limit);
            var select = CreateCommand(connection, own ?? transaction, timeout, DueSql);
            await using (select.ConfigureAwait(false))
            {
                AddParameter(select, "@now", now.UtcDateTime);
                AddParameter(select, "@expired_before", expiredBefore.UtcDateTime);
                AddParameter(select, "@limit", limit);
                AddParameter(select, "@excluded", excluded.Length == 0 ? "[]" : JsonSerializer.Serialize(excluded));
                var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    // The payload budget: stop at the first event that does not fit, but always take one.
                    long loaded = 0;
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var size = reader.GetInt64(1);
                        if (due.Count > 0 && loaded + size > maxPayloadBytes)
                        {
                            break;
                        }

                        loaded += size;
                        due.Add(reader.GetString(0));
                    }
                }
            }

            List<ClaimedEvent> claimed = [];
            if (due.Count > 0)
            {
                var update = CreateCommand(connection, own ?? transaction, timeout, ClaimSql);
                await using (update.ConfigureAwait(false))
                {
                    AddParameter(update, "@owner", owner);
                    AddParameter(update, "@now", now.UtcDateTime);
                    AddParameter(update, "@expired_before", expiredBefore.UtcDateTime);
                    AddParameter(update, "@lease_until", leaseUntil.UtcDateTime);
                    AddParameter(update, "@ids", JsonSerializer.Serialize(due));
                    claimed = await ReadClaimedAsync(update, due.Count, owner, leaseUntil, cancellationToken).ConfigureAwait(false);
                }

                var order = new Dictionary<Guid, int>(due.Count);
                for (var i = 0; i < due.Count; i++)
                {
                    order[Guid.Parse(due[i])] = i;
                }

                claimed.Sort((a, b) => order[a.Event.Id].CompareTo(order[b.Event.Id]));
            }

            if (own is not null)
            {
                await own.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            return claimed;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public override async Task<IReadOnlyCollection<Guid>> RenewAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyCollection<Guid> ids, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var command = CreateCommand(connection, transaction, timeout, RenewSql);
        await using (command.ConfigureAwait(false))
        {
            AddParameter(command, "@owner", owner);
            AddParameter(command, "@lease_until", (now + leaseDuration).UtcDateTime);
            AddParameter(command, "@ids", IdsJson(ids));
            return await ReadRenewedAsync(command, ids.Count, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<int> SettleAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventOutcome> outcomes, int logs, string owner, CancellationToken cancellationToken)
    {
        int updated;
        var update = CreateCommand(connection, transaction, timeout, UpdateSql);
        await using (update.ConfigureAwait(false))
        {
            AddParameter(update, "@owner", owner);
            AddParameter(update, "@outcomes", OutcomesJson(outcomes));
            updated = await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (logs > 0)
        {
            var insert = CreateCommand(connection, transaction, timeout, InsertLogsSql);
            await using (insert.ConfigureAwait(false))
            {
                AddParameter(insert, "@logs", LogsJson(outcomes.SelectMany(o => o.Logs), logs));
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return updated;
    }

    // Microsoft.Data.Sqlite binds a Guid as a BLOB; EF Core stores it as upper-case text.
    protected override Guid ReadId(DbDataReader reader, int ordinal) => Guid.Parse(reader.GetString(ordinal));

    protected override string Milliseconds(string from, string to) => $"round((julianday({to}) - julianday({from})) * 86400000.0)";

    // Whole seconds suffice: buckets are whole minutes from a whole minute.
    protected override string Bucket(string time) => $"((CAST(strftime('%s', {time}) AS INTEGER) - CAST(strftime('%s', @from) AS INTEGER)) / @width)";

    public override object IdValue(Guid id) => Key(id);

    public override async Task InsertLogsAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventLogEntry> entries, CancellationToken cancellationToken)
    {
        var insert = CreateCommand(connection, transaction, timeout, InsertLogsSql);
        await using (insert.ConfigureAwait(false))
        {
            AddParameter(insert, "@logs", LogsJson(entries, entries.Count));
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
