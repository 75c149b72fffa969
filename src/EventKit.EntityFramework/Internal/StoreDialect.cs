using System.Data.Common;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// The statements of the processor's hot path, per provider, run as plain ADO.NET commands on the context's
/// connection: the atomic claim (which also returns the handlers that already succeeded) and the settle of a whole
/// batch (status changes and log rows in one statement or one transaction). Column names are fixed by the model;
/// schema and table names come from it, so a dialect belongs to one model (see <see cref="Get"/>).
/// </summary>
internal abstract partial class StoreDialect
{
    public const string PostgreSqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    public const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    public const string Supported = $"PostgreSQL ({PostgreSqlProvider}) and SQLite ({SqliteProvider})";

    // One runtime annotation per provider on the model: EF Core builds a model per provider anyway, the suffix only
    // guards against one model instance being shared by two providers (UseModel with a compiled model).
    private const string AnnotationPrefix = "EventKit:StoreDialect:";

    /// <summary>
    /// The columns a claim returns, in the order <see cref="ReadClaimed"/> reads them: what the claim itself does not
    /// already know (a claimed row is processing, leased to the claimer until the lease time, not processed).
    /// </summary>
    protected const string ClaimColumns =
        "\"id\", \"type\", \"entity\", \"entity_id\", \"payload\", \"attempts\", \"created_at\", " +
        "\"actor\", \"correlation_id\", \"idempotency_key\", \"trace_parent\", \"last_error\", \"uncounted_attempts\", \"ordering\"";

    /// <summary>The ordinal of the succeeded handler names, after <see cref="ClaimColumns"/>.</summary>
    protected const int SucceededOrdinal = 14;

    /// <summary>The columns EventKit's own INSERT writes (the others start NULL); status and attempts are literals.</summary>
    protected const string InsertColumns =
        "\"id\", \"type\", \"entity\", \"entity_id\", \"payload\", \"status\", \"attempts\", \"available_at\", \"created_at\", " +
        "\"actor\", \"correlation_id\", \"idempotency_key\", \"trace_parent\"";

    /// <summary>The columns of a row written leased to a processor in this process (<see cref="EventHandOff"/>).</summary>
    protected const string LeasedInsertColumns = InsertColumns + ", \"locked_by\", \"locked_until\"";

    protected const string LogColumns = "\"id\", \"event_id\", \"kind\", \"action\", \"performed_by\", \"result\", \"error\", \"reason\", \"attempt\", \"duration_ms\", \"created_at\"";

    /// <summary>
    /// Whether log row <c>l</c> is a success that still counts: a handler run that succeeded and that no later replay of
    /// its handler (or of all handlers) superseded. A replay entry's attempt is the event's attempts when it was
    /// replayed, so runs at or before it are superseded, runs after it are not.
    /// </summary>
    protected static string StillSucceeded(string logs) =>
        "l.\"result\" = 'success' AND l.\"kind\" = 'handler_run' AND NOT EXISTS (SELECT 1 FROM " + logs + " AS r WHERE r.\"event_id\" = l.\"event_id\" " +
        "AND r.\"kind\" = 'replay' AND r.\"attempt\" >= l.\"attempt\" AND r.\"action\" IN (l.\"action\", '*'))";

    /// <summary>
    /// The claim's condition that the row's type is not paused (<paramref name="row"/>: how the claim names the events
    /// row). NOT IN over the small pauses table, not NOT EXISTS: PostgreSQL runs it as a hashed subplan, a filter on the
    /// runnable index scan that keeps its order (an anti-join would read every runnable row and sort them).
    /// </summary>
    protected static string NotPaused(string pauses, string row) =>
        $"{row}.\"type\" NOT IN (SELECT p.\"type\" FROM {pauses} AS p)";

    /// <summary>The rows the claim may take, in the runnable index: every runnable status, then what makes each one due.</summary>
    protected const string RunnableStatus = "\"status\" IN ('pending', 'processing', 'failed')";

    /// <summary>What a claim sets, with <paramref name="leaseUntil"/> the SQL of the lease expiry.</summary>
    protected static string ClaimSet(string leaseUntil) =>
        $"\"status\" = 'processing', \"attempts\" = \"attempts\" + 1, \"locked_by\" = @owner, \"locked_until\" = {leaseUntil}, \"available_at\" = {leaseUntil}";

    /// <summary>What a renewal sets, with <paramref name="leaseUntil"/> the SQL of the lease expiry.</summary>
    protected static string RenewSet(string leaseUntil) => $"\"locked_until\" = {leaseUntil}, \"available_at\" = {leaseUntil}";

    /// <summary>
    /// How one outcome changes its row (<c>v</c>: the outcome's id, status, available_at, processed_at, error): a
    /// release gives the attempt back and keeps an earlier error when it has none; only the lease owner's rows change.
    /// </summary>
    protected const string SettleSet =
        "\"status\" = v.status, \"available_at\" = COALESCE(v.available_at, e.\"available_at\"), " +
        "\"processed_at\" = COALESCE(v.processed_at, e.\"processed_at\"), " +
        "\"attempts\" = CASE WHEN v.status = 'pending' AND NOT v.ran AND e.\"attempts\" > 0 THEN e.\"attempts\" - 1 ELSE e.\"attempts\" END, " +
        "\"uncounted_attempts\" = CASE WHEN v.status = 'pending' AND v.ran THEN e.\"uncounted_attempts\" + 1 ELSE e.\"uncounted_attempts\" END, " +
        "\"last_error\" = CASE WHEN v.status = 'pending' THEN COALESCE(v.error, e.\"last_error\") ELSE v.error END, " +
        "\"locked_by\" = NULL, \"locked_until\" = NULL";

    protected const string SettleWhere = "e.\"id\" = v.id AND e.\"status\" = 'processing' AND e.\"locked_by\" = @owner";

    protected StoreDialect(string events, string logs, string pauses, string processors)
    {
        EventsTable = events;
        LogsTable = logs;
        PausesTable = pauses;
        ProcessorsTable = processors;
    }

    /// <summary>The pauses table as the SQL names it (schema-qualified and quoted).</summary>
    public string PausesTable { get; }

    /// <summary>The processors table as the SQL names it (schema-qualified and quoted).</summary>
    public string ProcessorsTable { get; }

    /// <summary>The events table as the SQL names it (schema-qualified and quoted).</summary>
    public string EventsTable { get; }

    /// <summary>The log table as the SQL names it (schema-qualified and quoted).</summary>
    public string LogsTable { get; }

    /// <summary>The database this dialect speaks, for logs and messages.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The statement that claims (see each dialect for its parameters): returns the claimed rows
    /// (<see cref="ClaimColumns"/>), then the names of the handlers that already succeeded, and on PostgreSQL the lease
    /// expiry the database granted. Exposed for the plan test.
    /// </summary>
    public abstract string ClaimSql { get; }

    /// <summary>Whether <see cref="SettleAsync"/> must run in a transaction (its statements are not one statement).</summary>
    public abstract bool SettleNeedsTransaction { get; }

    /// <summary>
    /// Whether EventKit's INSERT can be appended to EF Core's own SaveChanges command: the command then runs atomically
    /// even without a transaction (PostgreSQL runs a multi-statement command in one implicit transaction). When false,
    /// the INSERT is executed as a command of its own, inside a transaction.
    /// </summary>
    public abstract bool AppendsToCommand { get; }

    /// <summary>
    /// The most one statement of EventKit's INSERT sends, in estimated bytes of its parameter values (the payloads' UTF-8
    /// and the other columns), unless a single row is larger (it then goes alone). PostgreSQL refuses a message of more
    /// than 1 GiB (one statement's bound values, and one array value), which a unit of work of many large events (say
    /// five of <c>MaxPayloadSize</c>'s maximum, 256 MiB) would pass in one multi-row statement: such a unit of work is
    /// written as several statements of the same command instead, still atomic. A quarter of the limit leaves room for
    /// the protocol's per-value overhead and the server's copies of the values while a statement runs; any
    /// <c>MaxPayloadSize</c> still fits one row per statement. SQLite writes one row per statement anyway, and a value
    /// of at most 256 MiB is below its own limit of 1,000,000,000 bytes (SQLITE_MAX_LENGTH).
    /// </summary>
    public const long DefaultMaxStatementBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Appends the INSERT of <paramref name="events"/> (and its parameters) to <paramref name="command"/>; the events
    /// of <paramref name="handOff"/> are written leased to its processor (see <see cref="InsertAsync"/>). No statement
    /// sends more than <paramref name="maxStatementBytes"/> (see <see cref="DefaultMaxStatementBytes"/>).
    /// </summary>
    public virtual void AppendInsert(DbCommand command, IReadOnlyList<EventRecord> events, HandOffReservation? handOff, DateTimeOffset? wakeDueBy = null, long maxStatementBytes = DefaultMaxStatementBytes) => throw new NotSupportedException();

    /// <summary>
    /// Inserts <paramref name="events"/> with <c>ON CONFLICT DO NOTHING</c>: an idempotency key that another unit of
    /// work stored first adds nothing, and the caller's business change still commits. The events of
    /// <paramref name="handOff"/> are written as a claim by its processor would leave them (processing, one attempt,
    /// locked by its owner for its lease duration), the others pending. More than one statement when the dialect must
    /// split (the caller provides the transaction). With <paramref name="wakeDueBy"/>, a dialect that can notify other
    /// instances (<see cref="Channel"/>) does so in the same statements, delivered on commit, when an event written
    /// pending (not handed off) is due by then: nobody else could claim a handed-off or a delayed one now. No statement
    /// sends more than <paramref name="maxStatementBytes"/> (see <see cref="DefaultMaxStatementBytes"/>).
    /// </summary>
    public abstract Task InsertAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventRecord> events, HandOffReservation? handOff, bool async, CancellationToken cancellationToken, DateTimeOffset? wakeDueBy = null, long maxStatementBytes = DefaultMaxStatementBytes);

    /// <summary>
    /// The notification channel that commits of new events are announced on and that processors listen to, or
    /// <see langword="null"/> when the database cannot notify (SQLite).
    /// </summary>
    public virtual string? Channel => null;

    /// <summary>
    /// <paramref name="events"/> split into those written pending and those of <paramref name="handOff"/> (a subsequence
    /// of them, in order), without copying when one side is empty.
    /// </summary>
    protected static (IReadOnlyList<EventRecord> Pending, IReadOnlyList<EventRecord> Leased) Split(IReadOnlyList<EventRecord> events, HandOffReservation? handOff)
    {
        if (handOff is null)
        {
            return (events, []);
        }

        var leased = handOff.Leased;
        if (leased.Count == events.Count)
        {
            return ([], leased);
        }

        var pending = new List<EventRecord>(events.Count - leased.Count);
        var next = 0;
        foreach (var e in events)
        {
            if (next < leased.Count && ReferenceEquals(leased[next], e))
            {
                next++;
            }
            else
            {
                pending.Add(e);
            }
        }

        return (pending, leased);
    }

    /// <summary>Whether <see cref="InsertAsync"/> of <paramref name="count"/> events is more than one statement.</summary>
    public abstract bool InsertNeedsTransaction(int count);

    /// <summary>Returns one row, column <c>Value</c>: average seconds from creation to completion, or null.</summary>
    public abstract string AverageProcessingSecondsSql { get; }

    /// <summary>Prepares a connection the store just opened for its own statements (nothing by default).</summary>
    public virtual Task PrepareAsync(DbConnection connection, DbTransaction? transaction, int? timeout, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Waits for this process's turn to write to <paramref name="connection"/>'s database with the processor's own
    /// statements (claim, lease renewal, settle), outside any transaction of the application; the turn ends when the
    /// result is disposed. <see langword="null"/>: the database takes concurrent writers itself.
    /// </summary>
    public virtual ValueTask<IDisposable?> EnterWriteAsync(DbConnection connection, CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    protected const string RenewWhere = "\"status\" = 'processing' AND \"locked_by\" = @owner";

    protected virtual Guid ReadId(DbDataReader reader, int ordinal) => reader.GetGuid(ordinal);

    protected static DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => EventEntity.Utc(reader.GetDateTime(ordinal));

    protected static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, int? timeout, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        if (timeout is { } seconds)
        {
            command.CommandTimeout = seconds;
        }

        return command;
    }

    protected static async Task ExecuteAsync(DbCommand command, bool async, CancellationToken cancellationToken)
    {
        if (async)
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            command.ExecuteNonQuery();
        }
    }

    protected static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
