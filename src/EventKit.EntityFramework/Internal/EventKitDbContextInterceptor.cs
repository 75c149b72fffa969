using System.Data.Common;
using System.Runtime.CompilerServices;
using EventKit.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// Wakes the processor in this process as soon as events added to a context are committed: after
/// SaveChanges without a transaction, or when the context's transaction commits. Events committed by a
/// transaction EF does not control are found by polling.
/// </summary>
internal sealed class EventKitDbContextInterceptor(EventSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Pending> _pending = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Capture(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Capture(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Failed(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Failed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>Called by the store when it adds an event to <paramref name="context"/>: the next commit wakes the processor.</summary>
    public void Appended(DbContext context, DateTime availableAt)
    {
        var pending = _pending.GetOrCreateValue(context);
        lock (pending)
        {
            pending.Earliest = pending.Earliest is { } e && e < availableAt ? e : availableAt;
        }
    }

    // No change-tracker scan (it would run DetectChanges once more): the store reported what it added.
    private void Capture(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        lock (pending)
        {
            pending.Saving = pending.Earliest is not null;
        }
    }

    // A failed SaveChanges keeps its added events tracked: a later successful one still wakes the processor.
    private void Failed(DbContext? context)
    {
        if (context is not null && _pending.TryGetValue(context, out var pending))
        {
            lock (pending)
            {
                pending.Saving = false;
            }
        }
    }

    private void Saved(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        lock (pending)
        {
            pending.Saving = false;
        }

        // Inside a transaction the rows are not visible yet: wait for the commit.
        if (context.Database.CurrentTransaction is null)
        {
            Committed(context);
        }
    }

    private void Committed(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var pending))
        {
            return;
        }

        DateTime? earliest;
        lock (pending)
        {
            if (pending.Saving)
            {
                return;
            }

            earliest = pending.Earliest;
            pending.Earliest = null;
        }

        _pending.Remove(context);
        if (earliest is { } at)
        {
            signal.Notify(EventEntity.Utc(at));
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _pending.Remove(context);
        }
    }

    private sealed class Pending
    {
        public DateTime? Earliest;
        public bool Saving;
    }
}
