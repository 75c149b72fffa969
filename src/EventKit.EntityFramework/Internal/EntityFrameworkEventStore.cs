using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using EventKit.EntityFramework.Internal.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// The EF Core store, scoped like the application's context. Publishing adds the event to the context's
/// <see cref="ContextOutbox"/>: nothing is tracked by EF Core, and the <see cref="OutboxInterceptor"/> writes the
/// pending events with EventKit's own INSERT inside the application's next SaveChanges, so they commit or roll back with
/// its business change. Everything else is set-based: the claim is one raw statement per provider, other changes are
/// plain statements, ExecuteUpdate/ExecuteDelete and grouped queries. The raw statements come from the dialect of the
/// context's model (not of its CLR type: one context type can have several models).
/// </summary>
internal sealed partial class EntityFrameworkEventStore<TContext>(
    TContext context,
    ILoggerFactory? loggerFactory = null,
    UnsavedPublications? unsaved = null) : IEventStore, IUnsavedEventSource, IDisposable
    where TContext : DbContext
{
    private readonly ILogger _logger = loggerFactory?.CreateLogger(Log.Category) ?? NullLogger.Instance;
    private ContextOutbox? _outbox;
    private bool _published;

    private ContextOutbox Outbox => _outbox ??= context.GetService<ContextOutbox>();

    private DbSet<EventEntity> Events => context.Set<EventEntity>();

    private DbSet<EventLogEntity> Logs => context.Set<EventLogEntity>();

    private StoreDialect Dialect => StoreDialect.Get(context, _logger);

    public ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.IdempotencyKey is not null)
        {
            return AppendKeyedAsync(record, cancellationToken);
        }

        Add(record);
        return ValueTask.FromResult(record.Id);
    }

    public async ValueTask<IReadOnlyList<Guid>> AppendManyAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var ids = new Guid[records.Count];
        var pending = Outbox.Pending;
        pending.EnsureCapacity(pending.Count + records.Count);
        for (var i = 0; i < ids.Length; i++)
        {
            var record = records[i];
            ArgumentNullException.ThrowIfNull(record);
            if (record.IdempotencyKey is not null)
            {
                ids[i] = await AppendKeyedAsync(record, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ids[i] = record.Id;
            Add(record);
        }

        return ids;
    }

    private async ValueTask<Guid> AppendKeyedAsync(EventRecord record, CancellationToken cancellationToken)
    {
        var key = record.IdempotencyKey!;
        if (Outbox.FindKey(key) is { } pending)
        {
            return pending;
        }

        // A key stored by a committed unit of work. One stored concurrently is not seen here: the INSERT skips it
        // (ON CONFLICT DO NOTHING), and the business change of this unit of work commits without a second event.
        var existing = await Events.AsNoTracking().Where(e => e.IdempotencyKey == key).Select(e => (Guid?)e.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (existing is { } id)
        {
            return id;
        }

        Add(record);
        return record.Id;
    }

    private void Add(EventRecord record)
    {
        Outbox.Pending.Add(record);
        if (!_published)
        {
            _published = true;
            unsaved?.Track(this);
        }
    }

    public void CollectUnsaved(ICollection<string> eventTypes)
    {
        // Still pending: no SaveChanges wrote them (written events leave the list; a rolled-back one was undone on purpose).
        foreach (var record in _outbox?.Pending ?? [])
        {
            eventTypes.Add(record.Type);
        }
    }

    /// <summary>Warns, at the end of the scope, about published events no SaveChanges took (unless the processor already named them).</summary>
    public void Dispose()
    {
        if (!_published || unsaved?.Reported == true)
        {
            return;
        }

        try
        {
            var types = new List<string>();
            CollectUnsaved(types);
            if (types.Count > 0)
            {
                Log.EventsNeverSaved(_logger, types.Count, typeof(TContext).Name, string.Join(", ", types.Distinct(StringComparer.Ordinal)));
            }
        }
        catch (ObjectDisposedException)
        {
            // The context went first; there is nothing left to ask.
        }
    }

    public async ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        // One statement (on SQLite, one write transaction) claims the rows and returns, per event, the handlers that
        // already succeeded (earlier attempts, or before a requeue), which are not run again.
        return await OnConnectionAsync(
            (Owner: owner, MaxCount: maxCount, MaxPayloadBytes: maxPayloadBytes, Now: now, LeaseDuration: leaseDuration),
            static (state, db, ct) => db.Dialect.ClaimAsync(db.Connection, db.Transaction, db.Timeout, state.Owner, state.Now, state.LeaseDuration, state.MaxCount, state.MaxPayloadBytes, ct),
            cancellationToken).ConfigureAwait(false);
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
            cancellationToken).ConfigureAwait(false);
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
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in the application's transaction if it has one open; otherwise, when
    /// <paramref name="needsOwn"/>, in a transaction of our own that commits when it returns.
    /// </summary>
    private static async Task<T> InTransactionAsync<TState, T>(StoreConnection db, bool needsOwn, TState state, Func<TState, DbTransaction?, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var own = db.Transaction is null && needsOwn ? await db.Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        try
        {
            var result = await work(state, own ?? db.Transaction, cancellationToken).ConfigureAwait(false);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs the store's own ADO.NET statements on the context's connection (in its transaction, if any), opened for
    /// the call and prepared by the dialect. EF Core's command logging does not see them, so a failure is logged here.
    /// </summary>
    private async Task<T> OnConnectionAsync<TState, T>(TState state, Func<TState, StoreConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        var started = Stopwatch.GetTimestamp();
        var database = context.Database;
        try
        {
            await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var db = new StoreConnection(Dialect, database.GetDbConnection(), database.CurrentTransaction?.GetDbTransaction(), database.GetCommandTimeout());
                await db.Dialect.PrepareAsync(db.Connection, db.Transaction, db.Timeout, cancellationToken).ConfigureAwait(false);
                var result = await work(state, db, cancellationToken).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Log.StatementExecuted(_logger, operation, typeof(TContext).Name, elapsed);
                return result;
            }
            finally
            {
                await database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Log.StatementFailed(_logger, operation, typeof(TContext).Name, database.ProviderName, ex);
            throw;
        }
    }

    private readonly record struct StoreConnection(StoreDialect Dialect, DbConnection Connection, DbTransaction? Transaction, int? Timeout);

    public async ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
        var counts = await Events.GroupBy(e => e.Status).Select(g => new { Status = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        long Count(EventStatus status) => counts.FirstOrDefault(c => c.Status == status)?.Count ?? 0;
        var completed = Count(EventStatus.Completed);
        TimeSpan? average = null;
        if (completed > 0)
        {
            // An aggregate: exactly one row (ToList, not FirstOrDefault, which EF warns about without an OrderBy).
            var rows = await context.Database.SqlQueryRaw<double?>(Dialect.AverageProcessingSecondsSql)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var seconds = rows.Count > 0 ? rows[0] : null;
            if (seconds is { } s)
            {
                // Databases compute this in floating point; whole milliseconds are what it can promise.
                average = TimeSpan.FromMilliseconds(Math.Round(s * 1000));
            }
        }

        return new EventMetrics
        {
            Pending = Count(EventStatus.Pending),
            Processing = Count(EventStatus.Processing),
            Completed = completed,
            Failed = Count(EventStatus.Failed),
            DeadLetters = Count(EventStatus.DeadLetter),
            Cancelled = Count(EventStatus.Cancelled),
            AverageProcessingTime = average,
        };
    }

    public async ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = now.UtcDateTime;
        var waiting = await Events.LongCountAsync(e => e.Status == EventStatus.Pending || e.Status == EventStatus.Failed, cancellationToken).ConfigureAwait(false);

        // The first entry of the runnable index: a single index probe.
        var oldest = await Events
            .Where(e => (e.Status == EventStatus.Pending || e.Status == EventStatus.Processing || e.Status == EventStatus.Failed) && e.AvailableAt <= at)
            .OrderBy(e => e.AvailableAt)
            .Select(e => (DateTime?)e.AvailableAt)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // Served by the (status, processed_at) index.
        var deadLetters = await Events.LongCountAsync(e => e.Status == EventStatus.DeadLetter, cancellationToken).ConfigureAwait(false);
        return new EventBacklog { Waiting = waiting, OldestRunnableAt = oldest is { } o ? EventEntity.Utc(o) : null, DeadLetters = deadLetters };
    }

    public async ValueTask<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        var from = since.UtcDateTime;
        var to = until.UtcDateTime;
        var counts = await Events.Where(e => e.CreatedAt >= from && e.CreatedAt <= to)
            .GroupBy(e => e.Type).Select(g => new { Type = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        // Sorted here, not by the database, so every store orders type names the same way (ordinal).
        return [.. counts.OrderBy(c => c.Type, StringComparer.Ordinal).Select(c => new EventTypeCount(c.Type, c.Count))];
    }

    public async ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var query = Events.AsNoTracking().Where(e => e.Status == EventStatus.DeadLetter);
        if (type is not null)
        {
            query = query.Where(e => e.Type == type);
        }

        var rows = await query.OrderByDescending(e => e.ProcessedAt).ThenByDescending(e => e.Id).Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async ValueTask<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        var row = await Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var logs = await Logs.AsNoTracking().Where(l => l.EventId == eventId).OrderBy(l => l.CreatedAt).ThenBy(l => l.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new EventDetails(row.ToRecord(), [.. logs.Select(l => l.ToEntry())]);
    }

    public async ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default)
    {
        if (status is not (EventStatus.Completed or EventStatus.DeadLetter or EventStatus.Cancelled))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Only Completed, Cancelled and DeadLetter events can be deleted.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var cutoff = processedBefore.UtcDateTime;

        // One bounded statement; the log rows go by ON DELETE CASCADE. The outer condition repeats status and age: the
        // subquery picks ids from its snapshot, and a row changed meanwhile (a dead letter requeued, on PostgreSQL by a
        // transaction this DELETE waited for) is re-checked against the outer condition only, so it is skipped.
        var started = Stopwatch.GetTimestamp();
        var batch = Events.Where(e => e.Status == status && e.ProcessedAt < cutoff).OrderBy(e => e.ProcessedAt).Take(batchSize).Select(e => e.Id);
        var deleted = await Events.Where(e => batch.Contains(e.Id) && e.Status == status && e.ProcessedAt < cutoff)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Log.RetentionDeleted(_logger, deleted > 0 ? LogLevel.Information : LogLevel.Debug, deleted, status, processedBefore, Dialect.EventsTable, elapsed);

        return deleted;
    }
}
