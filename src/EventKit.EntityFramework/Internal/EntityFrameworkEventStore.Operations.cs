using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// The EF Core store's queries, operator actions, pauses and processor heartbeats. Queries are EF Core LINQ where it
/// expresses them and the dialect's SQL where the database must group or page by a row value; each action is one
/// transaction (the application's, if it has one open): the status change and its operator log entries commit together.
/// </summary>
internal sealed partial class EntityFrameworkEventStore<TContext>
{
    public async ValueTask<IReadOnlyList<EventRecord>> GetEventsAsync(EventFilter filter, EventOrder order, EventPosition? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var values = new List<object>();
        var sql = Dialect.EventsPageSql(filter, order, after, limit, value =>
        {
            values.Add(value);
            return "{" + (values.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}";
        });
        // Nothing is composed on the SQL (AsNoTracking adds no operator), so EF Core runs it as written, ORDER BY and all.
        var rows = await Events.FromSqlRaw(sql, [.. values]).AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async ValueTask<IReadOnlyList<EventTimelineBucket>> GetTimelineAsync(DateTimeOffset since, DateTimeOffset before, EventTimelineInterval interval, CancellationToken cancellationToken = default)
    {
        var width = interval switch
        {
            EventTimelineInterval.Minute => TimeSpan.FromMinutes(1),
            EventTimelineInterval.Hour => TimeSpan.FromHours(1),
            _ => TimeSpan.FromDays(1),
        };
        var rows = await OnConnectionAsync(
            (From: since, To: before, Width: width),
            static (state, db, ct) => db.Dialect.TimelineAsync(db.Connection, db.Transaction, db.Timeout, state.From, state.To, state.Width, ct),
            cancellationToken).ConfigureAwait(false);
        return [.. rows.GroupBy(r => r.Bucket).OrderBy(g => g.Key).Select(g =>
        {
            long Count(int kind) => g.Where(r => r.Kind == kind).Sum(r => r.Count);
            return new EventTimelineBucket
            {
                Start = since + (width * g.Key),
                Created = Count(0),
                Completed = Count(1),
                Failed = Count(2),
                DeadLettered = Count(3),
                Cancelled = Count(4),
            };
        })];
    }

    public async ValueTask<IReadOnlyList<EventTypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var rows = await OnConnectionAsync(
            (From: since, To: before),
            static (state, db, ct) => db.Dialect.TypeStatisticsAsync(db.Connection, db.Transaction, db.Timeout, state.From, state.To, ct),
            cancellationToken).ConfigureAwait(false);
        return [.. rows.OrderBy(r => r.Type, StringComparer.Ordinal)];
    }

    public async ValueTask<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var start = since.UtcDateTime;
        var end = before.UtcDateTime;
        var rows = await Logs.Where(l => l.Kind == EventLogKind.HandlerRun && l.CreatedAt >= start && l.CreatedAt < end)
            .GroupBy(l => l.Action)
            .Select(g => new { Handler = g.Key, Runs = g.LongCount(), Failures = g.LongCount(l => l.Result == EventLogResult.Failure), Average = g.Average(l => l.DurationMs) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.OrderBy(r => r.Handler, StringComparer.Ordinal).Select(r => new HandlerStatistics
        {
            Handler = r.Handler,
            Runs = r.Runs,
            Failures = r.Failures,
            AverageDuration = TimeSpan.FromMilliseconds(Math.Round(r.Average)),
        })];
    }

    public async ValueTask<EventBatchResult> RequeueAsync(Guid? eventId, EventFilter filter, EventPosition? after, int batchSize, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var last = new StoreDialect.LastPosition();
        var changed = await ChangeAsync(
            (Id: eventId, Filter: filter, After: after, Batch: batchSize, Now: now, Last: last),
            static (state, db, tx, ct) => db.Dialect.RequeueAsync(db.Connection, tx, db.Timeout, state.Id, state.Filter, state.After, state.Batch, state.Now, state.Last, ct),
            EventLogKind.Requeue, EventLogEntry.AllHandlers, actor, reason, now, cancellationToken).ConfigureAwait(false);
        return new EventBatchResult(changed.Count, last.Position);
    }

    public async ValueTask<bool> ReplayAsync(Guid eventId, string handler, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        (await ChangeAsync(
            (Id: eventId, Now: now),
            static (state, db, tx, ct) => db.Dialect.ReplayAsync(db.Connection, tx, db.Timeout, state.Id, state.Now, ct),
            EventLogKind.Replay, handler, actor, reason, now, cancellationToken).ConfigureAwait(false)).Count > 0;

    public async ValueTask<bool> CancelAsync(Guid eventId, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        (await ChangeAsync(
            (Id: eventId, Now: now),
            static (state, db, tx, ct) => db.Dialect.CancelAsync(db.Connection, tx, db.Timeout, state.Id, state.Now, ct),
            EventLogKind.Cancel, EventLogEntry.AllHandlers, actor, reason, now, cancellationToken).ConfigureAwait(false)).Count > 0;

    public async ValueTask<int> PurgeAsync(EventFilter filter, EventPosition through, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(through);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return await OnConnectionAsync(
            (Filter: filter, Through: through, Batch: batchSize),
            static (state, db, ct) => db.Dialect.PurgeAsync(db.Connection, db.Transaction, db.Timeout, state.Filter, state.Through, state.Batch, ct),
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> PauseAsync(EventTypePause pause, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pause);
        return await OnConnectionAsync(
            pause,
            static (state, db, ct) => db.Dialect.PauseAsync(db.Connection, db.Transaction, db.Timeout, state, ct),
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> ResumeAsync(string type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(type);
        return await context.Set<EventTypePauseEntity>().Where(p => p.Type == type).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async ValueTask<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken = default)
    {
        var rows = await context.Set<EventTypePauseEntity>().AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.OrderBy(r => r.Type, StringComparer.Ordinal).Select(r => r.ToPause())];
    }

    public async ValueTask RecordProcessorAsync(EventProcessorInfo processor, DateTimeOffset goneBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(processor);
        await OnConnectionAsync(
            (Processor: processor, GoneBefore: goneBefore),
            static async (state, db, ct) =>
            {
                await db.Dialect.RecordProcessorAsync(db.Connection, db.Transaction, db.Timeout, state.Processor, state.GoneBefore, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask RemoveProcessorAsync(string processorId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(processorId);
        await context.Set<EventProcessorEntity>().Where(p => p.Id == processorId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(DateTimeOffset seenSince, CancellationToken cancellationToken = default)
    {
        var since = seenSince.UtcDateTime;
        var rows = await context.Set<EventProcessorEntity>().AsNoTracking().Where(p => p.LastSeenAt >= since).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => r.ToInfo())];
    }

    /// <summary>
    /// Changes events with one of the dialect's UPDATE … RETURNING statements and adds an operator entry to the log of
    /// each changed event, in one transaction: the application's, or one of our own.
    /// </summary>
    private Task<List<(Guid Id, int Attempts)>> ChangeAsync<TState>(
        TState state,
        Func<TState, StoreConnection, DbTransaction?, CancellationToken, Task<List<(Guid Id, int Attempts)>>> change,
        EventLogKind kind,
        string action,
        string actor,
        string reason,
        DateTimeOffset now,
        CancellationToken cancellationToken) =>
        OnConnectionAsync(
            (State: state, Change: change, Kind: kind, Action: action, PerformedBy: actor, Reason: reason, Now: now),
            static (s, db, ct) => InTransactionAsync(db, needsOwn: true, (s, db), static async (x, transaction, ct) =>
            {
                var (s, db) = x;
                var changed = await s.Change(s.State, db, transaction, ct).ConfigureAwait(false);
                if (changed.Count > 0)
                {
                    var entries = changed.Select(c => new EventLogEntry
                    {
                        Id = Guid.CreateVersion7(s.Now),
                        EventId = c.Id,
                        Kind = s.Kind,
                        Handler = s.Action,
                        Actor = s.PerformedBy,
                        Result = EventLogResult.Success,
                        Reason = s.Reason,
                        Attempt = c.Attempts,
                        Duration = TimeSpan.Zero,
                        CreatedAt = s.Now,
                    }).ToList();
                    await db.Dialect.InsertLogsAsync(db.Connection, transaction, db.Timeout, entries, ct).ConfigureAwait(false);
                }

                return changed;
            }, ct),
            cancellationToken);
}
