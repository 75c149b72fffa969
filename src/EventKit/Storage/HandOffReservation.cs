using EventKit.Internal.Processing;

namespace EventKit.Storage;

/// <summary>
/// Room reserved in one processor run for <see cref="Leased"/>, from before the store writes them until the unit of
/// work ends: <see cref="Deliver"/> after the commit, <see cref="Cancel"/> after a rollback. Exactly one of the two
/// takes effect; later calls do nothing. Used by one unit of work at a time.
/// </summary>
public sealed class HandOffReservation
{
    private readonly ProcessorRun _run;
    private readonly long _payload;
    private int _done;

    internal HandOffReservation(ProcessorRun run, IReadOnlyList<EventRecord> leased, long payload)
    {
        _run = run;
        Leased = leased;
        _payload = payload;
        Written();
    }

    /// <summary>The lease owner the rows are written for.</summary>
    public string Owner => _run.Owner;

    /// <summary>How long the lease the store writes lasts, from the moment it writes the row (by its own clock).</summary>
    public TimeSpan LeaseDuration => _run.LeaseDuration;

    /// <summary>The events to write leased, in publish order; the others are written pending.</summary>
    public IReadOnlyList<EventRecord> Leased { get; }

    /// <summary>When the lease ends by this processor's clock: when the rows were (last) written, plus the lease duration.</summary>
    public DateTimeOffset LeaseUntil { get; private set; }

    /// <summary>
    /// Called just before the store writes the rows (again, when an execution strategy retries): their lease starts
    /// now. Read before the write, so the processor never counts on more lease than the store granted.
    /// </summary>
    public void Written() => LeaseUntil = _run.Time.GetUtcNow() + _run.LeaseDuration;

    /// <summary>The rows are committed: they go to the processor's buffer (or, when too little lease is left, back to pending).</summary>
    public void Deliver()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            try
            {
                _run.Deliver(this, _payload);
            }
            catch (Exception ex)
            {
                // Called from the store's commit path: nothing may surface in the application's SaveChanges, whose
                // transaction has committed. The rows keep their lease, and crash recovery takes them after it.
                _run.HandOffFailed(Leased.Count, ex);
            }
        }
    }

    /// <summary>The rows were not committed: the room is given back.</summary>
    public void Cancel()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            _run.Book.Unreserve(Leased.Count, _payload);
        }
    }
}
