using System.Data.Common;

namespace EventKit.EntityFramework.Internal;

/// <summary>SQLite's side of publishing: EventKit's own INSERT, one prepared single-row statement per call, pending or handed off.</summary>
internal sealed partial class SqliteDialect
{
    // One single-row INSERT, prepared once per call and executed per event with new values: SQLite parses it once and
    // binds the values per row (a multi-row VALUES statement costs more to bind than it saves). Status, attempts and
    // lock are values too, so a row handed off to a processor in this process (EventHandOff) is written leased to it
    // by the same statement.
    private string InsertSql => field ??=
        $"INSERT INTO {EventsTable} ({LeasedInsertColumns}, \"ordering\") VALUES (@ek_id, @ek_type, @ek_entity, @ek_entity_id, @ek_payload, @ek_status, @ek_attempts, " +
        "@ek_available_at, @ek_created_at, @ek_actor, @ek_correlation_id, @ek_idempotency_key, @ek_trace_parent, @ek_locked_by, @ek_locked_until, @ek_ordering) ON CONFLICT DO NOTHING";

    // Microsoft.Data.Sqlite runs the statements of one command one by one, each committing on its own outside a
    // transaction, and ignores an error in a statement after the first result set: EventKit's INSERT never rides in
    // EF Core's command here; it runs as its own command inside the transaction.
    public override bool AppendsToCommand => false;

    public override bool InsertNeedsTransaction(int count) => count > 1;

    public override async Task InsertAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventRecord> events, HandOffReservation? handOff, bool async, CancellationToken cancellationToken, DateTimeOffset? wakeDueBy = null, long maxStatementBytes = DefaultMaxStatementBytes)
    {
        var command = CreateCommand(connection, transaction, timeout, InsertSql);
        await using (command.ConfigureAwait(false))
        {
            var values = new DbParameter[16];
            string[] names =
            [
                "@ek_id", "@ek_type", "@ek_entity", "@ek_entity_id", "@ek_payload", "@ek_available_at", "@ek_created_at", "@ek_actor",
                "@ek_correlation_id", "@ek_idempotency_key", "@ek_trace_parent", "@ek_status", "@ek_attempts", "@ek_locked_by", "@ek_locked_until", "@ek_ordering",
            ];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = command.CreateParameter();
                values[i].ParameterName = names[i];
                command.Parameters.Add(values[i]);
            }

            if (events.Count > 1)
            {
                command.Prepare();
            }

            // The lease is by this process's clock, as a claim's is on SQLite.
            var leased = handOff?.Leased ?? [];
            var leaseUntil = handOff?.LeaseUntil.UtcDateTime;
            var next = 0;
            foreach (var e in events)
            {
                var isLeased = next < leased.Count && ReferenceEquals(leased[next], e);
                next += isLeased ? 1 : 0;
                values[0].Value = Key(e.Id);
                values[1].Value = e.Type;
                values[2].Value = e.Entity;
                values[3].Value = e.EntityId;
                values[4].Value = e.Payload;
                values[5].Value = isLeased ? leaseUntil!.Value : e.AvailableAt.UtcDateTime;
                values[6].Value = e.CreatedAt.UtcDateTime;
                values[7].Value = (object?)e.Actor ?? DBNull.Value;
                values[8].Value = (object?)e.CorrelationId ?? DBNull.Value;
                values[9].Value = (object?)e.IdempotencyKey ?? DBNull.Value;
                values[10].Value = (object?)e.TraceParent ?? DBNull.Value;
                values[11].Value = isLeased ? "processing" : "pending";
                values[12].Value = isLeased ? 1 : 0;
                values[13].Value = isLeased ? handOff!.Owner : DBNull.Value;
                values[14].Value = isLeased ? leaseUntil!.Value : DBNull.Value;
                values[15].Value = (int)e.Ordering;
                await ExecuteAsync(command, async, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
