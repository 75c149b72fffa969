using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventKit.EntityFramework.Internal.Publishing;

/// <summary>
/// Writes a context's pending events with EventKit's own INSERT inside the application's SaveChanges.
/// An attempt of SaveChanges (an execution strategy may make several) writes them once, with EF Core's first command of
/// that attempt: appended to it on PostgreSQL, where a multi-statement command is one implicit transaction when EF opens
/// none (a single-command SaveChanges); executed just before it on SQLite, where EF Core is asked for a transaction
/// first. So they share EF Core's transaction (or the application's, or the ambient one, or the command's implicit
/// one), its savepoint, its rollback and its retries. A SaveChanges with no business change writes them itself after
/// EF Core is done. They are forgotten once committed (no transaction), or when EF Core reports that the transaction
/// they were written in committed or, for accepted changes, rolled back. When they commit, the processor in this
/// process is woken.
/// </summary>
internal sealed partial class OutboxInterceptor : SaveChangesInterceptor, IDbCommandInterceptor, IDbTransactionInterceptor
{
    /// <summary>The one instance: stateless, injected into every context's EF Core services by <see cref="EventKitContextOptionsExtension"/>.</summary>
    public static readonly OutboxInterceptor Instance = new();

    private OutboxInterceptor()
    {
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SavedAsync(eventData.Context, async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await SavedAsync(eventData.Context, async: true, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Failed(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Failed(eventData.Context);
        return Task.CompletedTask;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        if (ShouldWrite(command, eventData, out var context, out var outbox))
        {
            // Synchronous SaveChanges: the statement path's own INSERT (SQLite) runs synchronously too.
            WriteAsync(command, context, outbox, async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (ShouldWrite(command, eventData, out var context, out var outbox))
        {
            await WriteAsync(command, context, outbox, async: true, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Began(eventData.Context, result, started: true);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Began(eventData.Context, result, started: true);
        return ValueTask.FromResult(result);
    }

    public DbTransaction TransactionUsed(DbConnection connection, TransactionEventData eventData, DbTransaction result)
    {
        Began(eventData.Context, result, started: false);
        return result;
    }

    public ValueTask<DbTransaction> TransactionUsedAsync(DbConnection connection, TransactionEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Began(eventData.Context, result, started: false);
        return ValueTask.FromResult(result);
    }

    public void CreatedSavepoint(DbTransaction transaction, TransactionEventData eventData) => SavepointCreated(eventData.Context);

    public Task CreatedSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        SavepointCreated(eventData.Context);
        return Task.CompletedTask;
    }

    public void ReleasedSavepoint(DbTransaction transaction, TransactionEventData eventData) => SavepointReleased(eventData.Context);

    public Task ReleasedSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        SavepointReleased(eventData.Context);
        return Task.CompletedTask;
    }

    public void RolledBackToSavepoint(DbTransaction transaction, TransactionEventData eventData) => RolledBackToSavepoint(eventData.Context, transaction);

    public Task RolledBackToSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        RolledBackToSavepoint(eventData.Context, transaction);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Ended(eventData.Context, transaction, committed: true);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(eventData.Context, transaction, committed: true);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Ended(eventData.Context, transaction, committed: false);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(eventData.Context, transaction, committed: false);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Ended(eventData.Context, transaction, committed: false);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(eventData.Context, transaction, committed: false);
        return Task.CompletedTask;
    }

    private static ContextOutbox Outbox(DbContext context) => context.GetService<ContextOutbox>();

    private static void Saving(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var outbox = Outbox(context);
        if (outbox.Pending.Count == 0)
        {
            return;
        }

        outbox.BeginSave();
        var database = context.Database;

        // SQLite runs EventKit's INSERT as a command of its own: only a transaction makes it commit with EF's.
        if (!outbox.Dialect(context).AppendsToCommand
            && database.AutoTransactionBehavior == AutoTransactionBehavior.WhenNeeded
            && Transaction(context) is null)
        {
            outbox.RestoreBehavior = AutoTransactionBehavior.WhenNeeded;
            database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        }
    }

    private static bool ShouldWrite(DbCommand command, CommandEventData eventData, out DbContext context, out ContextOutbox outbox)
    {
        context = eventData.Context!;
        outbox = null!;
        if (eventData.CommandSource != CommandSource.SaveChanges || eventData.Context is null)
        {
            return false;
        }

        outbox = Outbox(context);
        if (!outbox.Saving || outbox.Pending.Count == 0)
        {
            return false;
        }

        // Written already in this attempt: a later batch of the same transaction. Without any transaction EF Core runs
        // one batch per attempt, so a second command is the next attempt of a retrying strategy (unless the application
        // switched EF's transactions off, where there is no atomicity to keep and the events are written once).
        return !outbox.Written || (outbox.WrittenKey is null && context.Database.AutoTransactionBehavior != AutoTransactionBehavior.Never);
    }

    private static async ValueTask WriteAsync(DbCommand command, DbContext context, ContextOutbox outbox, bool async, CancellationToken cancellationToken)
    {
        var dialect = outbox.Dialect(context);
        var handOff = outbox.ReserveHandOff(command.Transaction);
        var wakeDueBy = outbox.WakeDueBy(command.Connection, command.Transaction);
        if (dialect.AppendsToCommand)
        {
            dialect.AppendInsert(command, outbox.Pending, handOff, wakeDueBy, outbox.App.MaxStatementBytes);
        }
        else
        {
            await dialect.InsertAsync(command.Connection!, command.Transaction, command.CommandTimeout, outbox.Pending, handOff, async, cancellationToken, wakeDueBy, outbox.App.MaxStatementBytes).ConfigureAwait(false);
        }

        outbox.MarkWritten((object?)command.Transaction ?? System.Transactions.Transaction.Current);
    }

    private static async ValueTask WriteOwnAsync(DbContext context, ContextOutbox outbox, bool async, CancellationToken cancellationToken)
    {
        var connection = context.GetService<IRelationalConnection>();
        var dialect = outbox.Dialect(context);
        if (async)
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            connection.Open();
        }

        try
        {
            var transaction = connection.CurrentTransaction?.GetDbTransaction();
            var handOff = outbox.ReserveHandOff(transaction);
            var own = transaction is null && System.Transactions.Transaction.Current is null && dialect.InsertNeedsTransaction(outbox.Pending.Count)
                ? async ? await connection.DbConnection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : connection.DbConnection.BeginTransaction()
                : null;
            try
            {
                await dialect.InsertAsync(connection.DbConnection, own ?? transaction, connection.CommandTimeout, outbox.Pending, handOff, async, cancellationToken, outbox.WakeDueBy(connection.DbConnection, transaction), outbox.App.MaxStatementBytes).ConfigureAwait(false);
                if (own is not null)
                {
                    if (async)
                    {
                        await own.CommitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        own.Commit();
                    }
                }
            }
            finally
            {
                if (own is not null)
                {
                    await own.DisposeAsync().ConfigureAwait(false);
                }
            }

            outbox.MarkWritten(transaction);
        }
        finally
        {
            if (async)
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
            else
            {
                connection.Close();
            }
        }
    }

    /// <summary>
    /// The transaction the context's work runs in, if any: its own (EF's or the application's, as the DbTransaction EF
    /// reports in transaction events), an enlisted one, or the ambient System.Transactions one. Read from the relational
    /// connection, not <c>context.Database.CurrentTransaction</c>, which builds the database facade's dependencies
    /// (migrator, SQL generators…) the first time a context asks.
    /// </summary>
    private static object? Transaction(DbContext context)
    {
        var connection = context.GetService<IRelationalConnection>();
        return (object?)connection.CurrentTransaction?.GetDbTransaction()
            ?? (object?)((ITransactionEnlistmentManager)connection).EnlistedTransaction
            ?? System.Transactions.Transaction.Current;
    }
}
