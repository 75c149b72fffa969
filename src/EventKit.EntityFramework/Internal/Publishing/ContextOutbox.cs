using EventKit.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventKit.EntityFramework.Internal.Publishing;

#pragma warning disable EF1001 // IResettableService: EF Core's own hook for a pooled context returned to its pool.

/// <summary>
/// EventKit's state for one context instance, living in that context's EF Core service scope (registered by
/// <see cref="EventKitContextOptionsExtension"/>): it is created with the context, needs no weak table or lock (a
/// context is used by one thread at a time), and is emptied by EF Core when a pooled context goes back to its pool,
/// so events published into one lease never reach the next (<c>AddDbContextPool</c>, <c>AddPooledDbContextFactory</c>).
/// </summary>
internal sealed class ContextOutbox(IDbContextOptions options) : IResettableService
{
    private readonly List<EventRecord> _pending = [];
    private readonly List<EventRecord> _written = [];
    private Services? _services;

    /// <summary>
    /// The application's services this context's EventKit work needs, from the application service provider that
    /// built the context's options (AddDbContext, AddDbContextPool and AddPooledDbContextFactory all set it). Resolved
    /// once per context instance, so the interceptor can be one shared instance and EF Core keeps one internal service
    /// provider for every application service provider.
    /// </summary>
    public Services App => _services ??= new Services(
        options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider
        ?? throw new InvalidOperationException("EventKit's outbox needs a context registered with AddDbContext, AddDbContextPool or AddPooledDbContextFactory."));

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

    /// <summary>The transaction the events of <see cref="Written"/> wait in (after SaveChanges, until EF reports its end).</summary>
    public object? WrittenIn { get; private set; }

    /// <summary>EF Core accepted the changes of the SaveChanges that wrote <see cref="WrittenIn"/>'s events.</summary>
    private bool _writtenAccepted;

    public Guid? FindKey(string key)
    {
        foreach (var list in (ReadOnlySpan<List<EventRecord>>)[_pending, _written])
        {
            foreach (var record in list)
            {
                if (record.IdempotencyKey == key)
                {
                    return record.Id;
                }
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

    /// <summary>The pending events were committed (no transaction was open): forgets them; returns the earliest availability.</summary>
    public DateTime? Committed()
    {
        var earliest = Earliest(_pending);
        _pending.Clear();
        return earliest;
    }

    /// <summary>The pending events were written inside <paramref name="transaction"/>, which is still open.</summary>
    public void WrittenInTransaction(object transaction, bool accepted)
    {
        if (WrittenIn is not null && !ReferenceEquals(WrittenIn, transaction))
        {
            // Written in an earlier transaction EF never reported the end of (a DbTransaction committed directly, or
            // a TransactionScope): those rows are the database's business now.
            _written.Clear();
        }

        WrittenIn = transaction;
        _writtenAccepted = accepted;
        _written.AddRange(_pending);
        _pending.Clear();
    }

    /// <summary>
    /// <paramref name="transaction"/> ended. Committed: its events are stored; returns their earliest availability.
    /// Rolled back: they are gone, unless EF Core had not accepted the changes of their SaveChanges
    /// (<c>SaveChanges(acceptAllChangesOnSuccess: false)</c>, as an execution strategy's retry loop does), in which
    /// case the business rows are still Added and will be saved again, so the events become pending again too.
    /// </summary>
    public DateTime? TransactionEnded(object transaction, bool committed)
    {
        if (!ReferenceEquals(WrittenIn, transaction))
        {
            return null;
        }

        WrittenIn = null;
        DateTime? earliest = null;
        if (committed)
        {
            earliest = Earliest(_written);
        }
        else if (!_writtenAccepted)
        {
            _pending.InsertRange(0, _written);
        }

        _written.Clear();
        return earliest;
    }

    public void ResetState()
    {
        _pending.Clear();
        _written.Clear();
        WrittenIn = null;
        Saving = false;
        Written = false;
        WrittenKey = null;
        RestoreBehavior = null;
    }

    public Task ResetStateAsync(CancellationToken cancellationToken = default)
    {
        ResetState();
        return Task.CompletedTask;
    }

    public sealed class Services(IServiceProvider provider)
    {
        public EventSignal Signal { get; } = provider.GetRequiredService<EventSignal>();

        public ILogger Logger { get; } = provider.GetService<ILoggerFactory>()?.CreateLogger(Log.Category) ?? NullLogger.Instance;
    }

    private static DateTime? Earliest(List<EventRecord> records)
    {
        DateTime? earliest = null;
        foreach (var record in records)
        {
            var at = record.AvailableAt.UtcDateTime;
            if (earliest is not { } e || at < e)
            {
                earliest = at;
            }
        }

        return earliest;
    }
}
