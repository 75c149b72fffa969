namespace EventKit.EntityFramework.Internal;

/// <summary>The EF Core store's claims, lease renewals and settles: the dialect's raw statements, on the context's connection.</summary>
internal sealed partial class EntityFrameworkEventStore<TContext>
{
    public async ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, IReadOnlyCollection<string>? excludedTypes = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        // One statement (on SQLite, one write transaction) claims the rows and returns, per event, the handlers that
        // already succeeded (earlier attempts, or before a requeue), which are not run again.
        return await OnConnectionAsync(
            (Owner: owner, MaxCount: maxCount, MaxPayloadBytes: maxPayloadBytes, Now: now, LeaseDuration: leaseDuration, Excluded: Excluded(excludedTypes)),
            static (state, db, ct) => db.Dialect.ClaimAsync(db.Connection, db.Transaction, db.Timeout, state.Owner, state.Now, state.LeaseDuration, state.MaxCount, state.MaxPayloadBytes, state.Excluded, ct),
            cancellationToken,
            processorWrite: true).ConfigureAwait(false);
    }

    /// <summary>The excluded types as the dialects take them: a distinct array, empty for none.</summary>
    private static string[] Excluded(IReadOnlyCollection<string>? excludedTypes)
    {
        if (excludedTypes is not { Count: > 0 })
        {
            return [];
        }

        foreach (var type in excludedTypes)
        {
            if (type is null)
            {
                throw new ArgumentException("The excluded event types contain null.", nameof(excludedTypes));
            }
        }

        return [.. excludedTypes.Distinct(StringComparer.Ordinal)];
    }

    public async ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        if (eventIds.Count == 0)
        {
            return [];
        }

        return await OnConnectionAsync(
            (Ids: eventIds, Owner: owner, Now: now, LeaseDuration: leaseDuration),
            static (state, db, ct) => db.Dialect.RenewAsync(db.Connection, db.Transaction, db.Timeout, state.Ids, state.Owner, state.Now, state.LeaseDuration, ct),
            cancellationToken,
            processorWrite: true).ConfigureAwait(false);
    }

    public async ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var logs = 0;
        foreach (var outcome in outcomes)
        {
            ArgumentNullException.ThrowIfNull(outcome);
            outcome.Validate();
            logs += outcome.Logs.Count;
        }

        if (outcomes.Count == 0)
        {
            return 0;
        }

        // The status changes and the log rows of the whole batch, written set-based with no change tracking: one
        // statement on PostgreSQL, one short write transaction of two statements on SQLite.
        var strategy = context.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            (Store: this, Outcomes: outcomes, Logs: logs, Owner: owner),
            static (_, state, ct) => state.Store.SettleOnceAsync(state.Outcomes, state.Logs, state.Owner, ct),
            null,
            cancellationToken).ConfigureAwait(false);
    }

    private Task<int> SettleOnceAsync(IReadOnlyList<EventOutcome> outcomes, int logs, string owner, CancellationToken cancellationToken) =>
        OnConnectionAsync(
            (Outcomes: outcomes, Logs: logs, Owner: owner),
            // Inside the application's transaction if there is one; otherwise a transaction of our own only where the
            // dialect's settle is more than one statement.
            static (state, db, ct) => InTransactionAsync(
                db,
                db.Dialect.SettleNeedsTransaction,
                (state, db),
                static (s, transaction, ct) => s.db.Dialect.SettleAsync(s.db.Connection, transaction, s.db.Timeout, s.state.Outcomes, s.state.Logs, s.state.Owner, ct),
                ct),
            cancellationToken,
            processorWrite: true);
}
