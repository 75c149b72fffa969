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

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
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

    private void Capture(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        DateTime? earliest = null;
        foreach (var entry in context.ChangeTracker.Entries<EventEntity>())
        {
            if (entry.State == EntityState.Added && (earliest is null || entry.Entity.AvailableAt < earliest))
            {
                earliest = entry.Entity.AvailableAt;
            }
        }

        if (earliest is { } at)
        {
            var pending = _pending.GetOrCreateValue(context);
            lock (pending)
            {
                pending.Earliest = pending.Earliest is { } e && e < at ? e : at;
                pending.Saving = true;
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
