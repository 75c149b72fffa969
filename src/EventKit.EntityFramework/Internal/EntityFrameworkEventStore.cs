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

    private StoreDialect? _dialect;

    /// <summary>The context's dialect, looked up once per store instance (<see cref="StoreDialect.Get"/> asks EF Core for the provider's name each time).</summary>
    private StoreDialect Dialect => _dialect ??= StoreDialect.Get(context, _logger);

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
    private async Task<T> OnConnectionAsync<TState, T>(TState state, Func<TState, StoreConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken, bool processorWrite = false, [CallerMemberName] string operation = "")
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
                using var turn = processorWrite && db.Transaction is null
                    ? await db.Dialect.EnterWriteAsync(db.Connection, cancellationToken).ConfigureAwait(false)
                    : null;
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
