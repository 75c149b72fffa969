using System.Data.Common;

namespace EventKit.EntityFramework.Internal;

/// <summary>The hot path's statements as every dialect shapes them: claim, renew and settle, and reading back what they return.</summary>
internal abstract partial class StoreDialect
{
    /// <summary>Reads the succeeded handler names of a claimed row (null: none).</summary>
    public abstract IReadOnlyCollection<string> ReadSucceeded(DbDataReader reader, int ordinal);

    /// <summary>Writes the settle of <paramref name="outcomes"/> with <paramref name="logs"/>; returns the events whose status changed.</summary>
    public abstract Task<int> SettleAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyList<EventOutcome> outcomes, int logs, string owner, CancellationToken cancellationToken);

    /// <summary>Reads one claimed row (<see cref="ClaimColumns"/>); what the claim set is filled in, not read back.</summary>
    public EventRecord ReadClaimed(DbDataReader reader, string owner, DateTimeOffset leaseUntil) => new()
    {
        Id = ReadId(reader, 0),
        Type = reader.GetString(1),
        Entity = reader.GetString(2),
        EntityId = reader.GetString(3),
        Payload = reader.GetString(4),
        Status = EventStatus.Processing,
        Attempts = reader.GetInt32(5),
        AvailableAt = leaseUntil,
        CreatedAt = ReadTime(reader, 6),
        LockedBy = owner,
        LockedUntil = leaseUntil,
        Actor = reader.IsDBNull(7) ? null : reader.GetString(7),
        CorrelationId = reader.IsDBNull(8) ? null : reader.GetString(8),
        IdempotencyKey = reader.IsDBNull(9) ? null : reader.GetString(9),
        TraceParent = reader.IsDBNull(10) ? null : reader.GetString(10),
        LastError = reader.IsDBNull(11) ? null : reader.GetString(11),
        UncountedAttempts = reader.GetInt32(12),
        Ordering = (EventOrdering)reader.GetInt32(13),
    };

    /// <summary>
    /// Claims up to <paramref name="limit"/> runnable events, of types not in <paramref name="excluded"/>, for <paramref name="owner"/>, stopping before the first
    /// whose payload would take the claim past <paramref name="maxPayloadBytes"/> (UTF-8 bytes; the first event is always
    /// taken), and returns them in the order they were due (available_at before the claim, then id), with the handlers
    /// that already succeeded.
    /// </summary>
    /// <remarks>
    /// Due times (available_at of pending and failed rows) are compared with the caller's <paramref name="now"/>; the
    /// lease is granted and expired by the dialect's lease clock (PostgreSQL: the database's; SQLite: the callers').
    /// </remarks>
    public abstract Task<IReadOnlyList<ClaimedEvent>> ClaimAsync(DbConnection connection, DbTransaction? transaction, int? timeout, string owner, DateTimeOffset now, TimeSpan leaseDuration, int limit, int maxPayloadBytes, string[] excluded, CancellationToken cancellationToken);

    /// <summary>Extends the leases <paramref name="owner"/> still holds on <paramref name="ids"/> by <paramref name="leaseDuration"/>; returns the ids renewed.</summary>
    public abstract Task<IReadOnlyCollection<Guid>> RenewAsync(DbConnection connection, DbTransaction? transaction, int? timeout, IReadOnlyCollection<Guid> ids, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>
    /// Reads claimed rows: <see cref="ClaimColumns"/>, then the succeeded handler names, then, when
    /// <paramref name="leaseUntil"/> is <see langword="null"/> (the database set it), the lease expiry.
    /// </summary>
    protected async Task<List<ClaimedEvent>> ReadClaimedAsync(DbCommand command, int capacity, string owner, DateTimeOffset? leaseUntil, CancellationToken cancellationToken)
    {
        var claimed = new List<ClaimedEvent>(capacity);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var lease = leaseUntil ?? ReadTime(reader, SucceededOrdinal + 1);
                claimed.Add(new ClaimedEvent(ReadClaimed(reader, owner, lease), ReadSucceeded(reader, SucceededOrdinal)));
            }
        }

        return claimed;
    }

    /// <summary>Runs a renewal command (its parameters set) and returns the ids it renewed.</summary>
    protected async Task<IReadOnlyCollection<Guid>> ReadRenewedAsync(DbCommand command, int capacity, CancellationToken cancellationToken)
    {
        var renewed = new List<Guid>(capacity);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                renewed.Add(ReadId(reader, 0));
            }
        }

        return renewed;
    }

    /// <summary>The stored form of an outcome's time columns: only the ones its status sets (as the other stores do).</summary>
    protected static (DateTime? AvailableAt, DateTime? ProcessedAt) Times(EventOutcome outcome) => outcome.Status switch
    {
        EventStatus.Completed or EventStatus.DeadLetter => (null, outcome.ProcessedAt!.Value.UtcDateTime),
        _ => (outcome.AvailableAt!.Value.UtcDateTime, null),
    };
}
