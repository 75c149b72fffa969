using System.Data.Common;
using EventKit.EntityFramework.Internal.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventKit.EntityFramework.Internal.Publishing;

#pragma warning disable EF1001 // IStateManager.ChangedCount: whether EF Core accepted the changes of a SaveChanges.

/// <summary>How a unit of work that wrote events ends: a new attempt, SaveChanges done or failed, the transaction committed or rolled back, and who is woken.</summary>
internal sealed partial class OutboxInterceptor
{
    /// <summary>
    /// A transaction began on the context: EF Core began it (<paramref name="started"/>; during a SaveChanges, a new
    /// attempt: an execution strategy retries in a new one), or the application passed one in (UseTransaction). Any
    /// transaction events were written in before has ended, and EF Core did not report how (see
    /// <see cref="ContextOutbox.TransactionBegan"/>). Checked before anything else: a provider may hand out the same
    /// transaction object again (Npgsql does, per connection), so the object alone never tells transactions apart.
    /// </summary>
    private static void Began(DbContext? context, DbTransaction transaction, bool started)
    {
        if (context is null)
        {
            return;
        }

        var outbox = Outbox(context);
        outbox.TransactionBegan();
        outbox.StartedTransaction = started ? transaction : null;
        if (started && outbox.Saving)
        {
            outbox.NewAttempt();
        }
    }

    private static void SavepointCreated(DbContext? context)
    {
        if (context is not null)
        {
            Outbox(context).SavepointCreated();
        }
    }

    private static void SavepointReleased(DbContext? context)
    {
        if (context is not null)
        {
            Outbox(context).SavepointReleased();
        }
    }

    /// <summary>The application rolled <paramref name="transaction"/> back to a savepoint (EF Core's own, in a failed SaveChanges, is <see cref="Failed"/>'s).</summary>
    private static void RolledBackToSavepoint(DbContext? context, DbTransaction transaction)
    {
        if (context is not null && Outbox(context) is { Saving: false } outbox)
        {
            outbox.RolledBackToSavepoint(transaction);
        }
    }

    private static async ValueTask SavedAsync(DbContext? context, bool async, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            return;
        }

        var outbox = Outbox(context);
        if (!outbox.Saving)
        {
            return;
        }

        try
        {
            // No business change, so EF Core ran no command: the events are this SaveChanges' only write.
            if (!outbox.Written)
            {
                await WriteOwnAsync(context, outbox, async, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            End(context, outbox);
        }

        if (Transaction(context) is { } transaction)
        {
            outbox.WrittenInTransaction(transaction, accepted: context.GetService<IStateManager>().ChangedCount == 0);
        }
        else
        {
            Announce(context, outbox, outbox.Committed());
        }
    }

    /// <summary>
    /// Events committed (available from <paramref name="earliest"/>; <see langword="null"/>: none a processor has to
    /// claim): wakes the processor in this process and, where the write left it for after the commit, the other
    /// instances' (<see cref="CommitNotifier"/>).
    /// </summary>
    private static void Announce(DbContext context, ContextOutbox outbox, DateTime? earliest)
    {
        var notifyOthers = outbox.TakeNotifyAfterCommit();
        if (earliest is not { } at)
        {
            return;
        }

        outbox.App.Signal.Notify(EventEntity.Utc(at));
        if (notifyOthers && outbox.App.IsDue(at) && outbox.Dialect(context) is PostgreSqlDialect dialect)
        {
            outbox.App.Notifier?.Send(context.GetService<IRelationalConnection>().DbConnection, dialect);
        }
    }

    private static void Failed(DbContext? context)
    {
        if (context is not null)
        {
            var outbox = Outbox(context);
            if (outbox.Saving)
            {
                // What this SaveChanges wrote was rolled back (with EF's transaction, or to its savepoint).
                outbox.CancelHandOff();
                End(context, outbox);
            }
        }
    }

    private static void End(DbContext context, ContextOutbox outbox)
    {
        outbox.EndSave();
        if (outbox.RestoreBehavior is { } behavior)
        {
            context.Database.AutoTransactionBehavior = behavior;
            outbox.RestoreBehavior = null;
        }
    }

    private static void Ended(DbContext? context, DbTransaction transaction, bool committed)
    {
        if (context is null)
        {
            return;
        }

        var outbox = Outbox(context);
        if (ReferenceEquals(outbox.StartedTransaction, transaction))
        {
            outbox.StartedTransaction = null;
        }

        // Called whatever was written in it: it also forgets the transaction's savepoints.
        var written = ReferenceEquals(outbox.WrittenIn, transaction);
        var earliest = outbox.TransactionEnded(transaction, committed);
        if (written)
        {
            Announce(context, outbox, earliest);
        }
    }
}
