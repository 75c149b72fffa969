using System.Data.Common;
using EventKit.EntityFramework.Internal.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace EventKit.EntityFramework.Internal.Publishing;

#pragma warning disable EF1001 // IResettableService: EF Core's own hook for a pooled context returned to its pool.

/// <summary>
/// EventKit's state for one context instance, living in that context's EF Core service scope (registered by
/// <see cref="EventKitContextOptionsExtension"/>): it is created with the context, needs no weak table or lock (a
/// context is used by one thread at a time), and is emptied by EF Core when a pooled context goes back to its pool,
/// so events published into one lease never reach the next (<c>AddDbContextPool</c>, <c>AddPooledDbContextFactory</c>).
/// </summary>
internal sealed partial class ContextOutbox(IDbContextOptions options) : IResettableService, IDisposable
{
    private readonly List<EventRecord> _pending = [];
    private readonly List<EventRecord> _written = [];
    private readonly List<HandOffReservation> _writtenHandOffs = [];
    private Services? _services;
    private bool _notifyAfterCommit;

    /// <summary>
    /// The application's services this context's EventKit work needs, from the application service provider that
    /// built the context's options (AddDbContext, AddDbContextPool and AddPooledDbContextFactory all set it). Resolved
    /// once per context instance, so the interceptor can be one shared instance and EF Core keeps one internal service
    /// provider for every application service provider.
    /// </summary>
    public Services App => _services ??= new Services(
        options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider
        ?? throw new InvalidOperationException("EventKit's outbox needs a context registered with AddDbContext, AddDbContextPool or AddPooledDbContextFactory."));

    private StoreDialect? _dialect;

    /// <summary>
    /// The dialect of <paramref name="context"/> (this outbox's context): looked up once per context instance, and kept
    /// by a pooled context across leases (same model, same provider). <see cref="StoreDialect.Get"/> asks EF Core for the
    /// provider's name each time, which several calls per SaveChanges would pay for.
    /// </summary>
    public StoreDialect Dialect(DbContext context) => _dialect ??= StoreDialect.Get(context, App.Logger);

    /// <summary>Events published and not yet written.</summary>
    public List<EventRecord> Pending => _pending;

    /// <summary>A SaveChanges that has events to write is running.</summary>
    public bool Saving { get; private set; }

    /// <summary>The events were written in the current attempt of that SaveChanges.</summary>
    public bool Written { get; private set; }

    /// <summary>The transaction (a DbTransaction, or the ambient System.Transactions transaction) they were written in.</summary>
    public object? WrittenKey { get; private set; }

    /// <summary>What <c>AutoTransactionBehavior</c> was before EventKit asked EF Core for a transaction (SQLite).</summary>
    public AutoTransactionBehavior? RestoreBehavior { get; set; }

    /// <summary>
    /// The pending events a running processor has room for (<see cref="EventHandOff"/>), written leased to it by the
    /// current SaveChanges; <see langword="null"/> when none are.
    /// </summary>
    public HandOffReservation? HandOff { get; private set; }

    /// <summary>The transaction EF Core began on this context (reported by its transaction events), until it ends.</summary>
    public object? StartedTransaction { get; set; }

    /// <summary>
    /// Reserves room in a running processor for the pending events about to be written in <paramref name="transaction"/>
    /// (once per SaveChanges; an attempt that writes them again restarts their lease). Only where EF Core reports how the
    /// unit of work ends: no transaction, or one EF Core began; not an ambient transaction, nor one the application
    /// passed in (UseTransaction) and may commit behind EF Core's back.
    /// </summary>
    public HandOffReservation? ReserveHandOff(object? transaction)
    {
        if (HandOff is null)
        {
            if (!CommitIsReported(transaction))
            {
                return null;
            }

            HandOff = App.HandOff.TryReserve(_pending);
        }

        HandOff?.Written();
        return HandOff;
    }

    /// <summary>
    /// The time by which a pending row written now in <paramref name="transaction"/> through <paramref name="connection"/>
    /// must be available for the write to carry a <c>NOTIFY</c> for other instances; <see langword="null"/> when notifications
    /// are off, or when the notification is sent after the commit instead (<see cref="CommitNotifier"/>: EF Core reports how
    /// this unit of work ends, so the business transaction need not take PostgreSQL's notification lock).
    /// </summary>
    public DateTimeOffset? WakeDueBy(DbConnection? connection, object? transaction)
    {
        var due = App.WakeDueBy();
        if (due is not null && App.Notifier is not null && CommitIsReported(transaction) && CommitNotifier.CanSendFor(connection))
        {
            _notifyAfterCommit = true;
            return null;
        }

        return due;
    }

    /// <summary>
    /// Whether EF Core reports how a unit of work in <paramref name="transaction"/> ends: no transaction, or one EF Core
    /// began; not an ambient transaction, nor one the application passed in (UseTransaction) and may commit behind EF
    /// Core's back.
    /// </summary>
    private bool CommitIsReported(object? transaction) =>
        (transaction is null || ReferenceEquals(transaction, StartedTransaction)) && System.Transactions.Transaction.Current is null;

    /// <summary>
    /// Whether the events just committed (<see cref="Committed"/>, <see cref="TransactionEnded"/>) wait for a
    /// notification after the commit; reading it clears it.
    /// </summary>
    public bool TakeNotifyAfterCommit()
    {
        var notify = _notifyAfterCommit;
        _notifyAfterCommit = false;
        return notify;
    }

    /// <summary>The SaveChanges failed: the rows it wrote were rolled back (to EF Core's savepoint), so the room is given back.</summary>
    public void CancelHandOff()
    {
        HandOff?.Cancel();
        HandOff = null;
    }

    /// <summary>
    /// The id of an event with <paramref name="key"/> published in this context and not saved yet. Events already written
    /// are not looked at here: their transaction may have ended without EF Core reporting it (disposed without a commit,
    /// a TransactionScope left without Complete), and the database answers for them (the caller asks it next, inside
    /// the transaction if one is still open).
    /// </summary>
    public Guid? FindKey(string key)
    {
        foreach (var record in _pending)
        {
            if (record.IdempotencyKey == key)
            {
                return record.Id;
            }
        }

        return null;
    }

    public void BeginSave()
    {
        Saving = true;
        Written = false;
        WrittenKey = null;
    }

    public void MarkWritten(object? key)
    {
        Written = true;
        WrittenKey = key;
    }

    /// <summary>EF Core began a transaction during the SaveChanges: a new attempt (an execution strategy retries in a new one).</summary>
    public void NewAttempt() => Written = false;

    public void EndSave() => Saving = false;

    /// <summary>
    /// The pending events were committed (no transaction was open): the handed-off ones go to their processor; forgets
    /// them all; returns the earliest availability of the others, the ones a processor has to claim.
    /// </summary>
    public DateTime? Committed()
    {
        var earliest = Earliest(_pending, HandOff is null ? [] : [HandOff]);
        HandOff?.Deliver();
        HandOff = null;
        _pending.Clear();
        return earliest;
    }

    public void ResetState()
    {
        CancelHandOff();
        CancelWrittenHandOffs();
        StartedTransaction = null;
        _pending.Clear();
        _written.Clear();
        _forgottenEarliest = null;
        _savepoints.Clear();
        WrittenIn = null;
        Saving = false;
        Written = false;
        WrittenKey = null;
        RestoreBehavior = null;
        _notifyAfterCommit = false;
    }

    public Task ResetStateAsync(CancellationToken cancellationToken = default)
    {
        ResetState();
        return Task.CompletedTask;
    }

    /// <summary>The context is disposed (not pooled): room still reserved for events it wrote is given back.</summary>
    public void Dispose()
    {
        CancelHandOff();
        CancelWrittenHandOffs();
    }

    private void CancelWrittenHandOffs()
    {
        foreach (var handOff in _writtenHandOffs)
        {
            handOff.Cancel();
        }

        _writtenHandOffs.Clear();
    }

    /// <summary>
    /// The earliest availability among <paramref name="records"/> that no reservation of <paramref name="handOffs"/>
    /// holds. Each reservation's events are a subsequence of the records, in order, and the reservations are in the
    /// records' order, so one pass walks both.
    /// </summary>
    private static DateTime? Earliest(List<EventRecord> records, List<HandOffReservation> handOffs)
    {
        DateTime? earliest = null;
        int r = 0, next = 0;
        foreach (var record in records)
        {
            while (r < handOffs.Count && next >= handOffs[r].Leased.Count)
            {
                r++;
                next = 0;
            }

            if (r < handOffs.Count && ReferenceEquals(handOffs[r].Leased[next], record))
            {
                next++;
                continue;
            }

            var at = record.AvailableAt.UtcDateTime;
            if (earliest is not { } e || at < e)
            {
                earliest = at;
            }
        }

        return earliest;
    }
}
