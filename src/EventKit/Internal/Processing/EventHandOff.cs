using System.Collections.Frozen;

namespace EventKit.Internal.Processing;

/// <summary>
/// The in-process hand-off: a transactional store that is about to write events asks whether a processor running in
/// this process has room for them. If one has, the store writes them already leased to that processor (status
/// processing, one attempt started, its lease), and after the commit they go straight into its buffer: no claim
/// query, and no other instance can take them while the lease lasts. A rollback gives the room back; a crash or an
/// undelivered commit leaves rows whose lease expires, and which are then claimed like any other (crash recovery is
/// unchanged). Events that cannot be handed off (no processor running, the pipeline full, a delayed event, an
/// idempotency key the store may find taken, an event ordered per entity) are written pending, as without the hand-off.
/// </summary>
internal sealed class EventHandOff
{
    private readonly Lock _gate = new();
    private ProcessorRun[] _runs = [];
    private int _next;

    /// <summary>
    /// The event types paused in the store, as last read (every heartbeat) or changed by this process; null until first
    /// read: no hand-off before this process knows what is paused.
    /// </summary>
    private FrozenSet<string>? _paused;

    /// <summary>The run accepts hand-offs from now on (a hosted processor's run, not a drain).</summary>
    public void Attach(ProcessorRun run)
    {
        lock (_gate)
        {
            _runs = [.. _runs, run];
        }
    }

    /// <summary>The run accepts no more hand-offs (it is stopping); reservations already made are still delivered or cancelled.</summary>
    public void Detach(ProcessorRun run)
    {
        lock (_gate)
        {
            _runs = [.. _runs.Where(r => !ReferenceEquals(r, run))];
        }
    }

    /// <summary>Whether a running processor would take a hand-off now (caught up and not stopping), room permitting.</summary>
    public bool IsAccepting => Volatile.Read(ref _paused) is not null && Volatile.Read(ref _runs).Any(r => r.CaughtUp && !r.IsStopping);

    /// <summary>The paused types as the store holds them now (read by a processor's heartbeat).</summary>
    public void SetPaused(IEnumerable<string> types) => Volatile.Write(ref _paused, types.ToFrozenSet(StringComparer.Ordinal));

    /// <summary>This process pauses <paramref name="type"/>: from now on its events are written pending.</summary>
    public void Pause(string type) => Change(type, add: true);

    /// <summary>This process resumed <paramref name="type"/>.</summary>
    public void Resume(string type) => Change(type, add: false);

    /// <summary>
    /// Reserves room for the events among <paramref name="records"/> that may be handed off, in their order, as many as
    /// a running processor has room for; returns <see langword="null"/> when none can be.
    /// </summary>
    public HandOffReservation? TryReserve(IReadOnlyList<EventRecord> records)
    {
        var runs = Volatile.Read(ref _runs);
        var paused = Volatile.Read(ref _paused);
        if (runs.Length == 0 || records.Count == 0 || paused is null)
        {
            return null;
        }

        var start = runs.Length == 1 ? 0 : (int)((uint)Interlocked.Increment(ref _next) % (uint)runs.Length);
        for (var i = 0; i < runs.Length; i++)
        {
            if (runs[(start + i) % runs.Length].TryReserve(records, paused) is { } reservation)
            {
                return reservation;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="record"/> may be written leased at <paramref name="now"/>, its type not being <paramref name="paused"/>.</summary>
    public static bool Eligible(EventRecord record, DateTimeOffset now, FrozenSet<string> paused) =>

        // A keyed event may not be stored at all (its key taken by another unit of work); a delayed one is not runnable;
        // a paused type's events stay pending until it is resumed; an ordered one may have to wait for an earlier event
        // of its entity, which only the claim can tell.
        record.IdempotencyKey is null && record.Ordering == EventOrdering.None && record.AvailableAt <= now && !paused.Contains(record.Type);

    private void Change(string type, bool add)
    {
        lock (_gate)
        {
            var current = Volatile.Read(ref _paused);
            if (current is null)
            {
                // Not read yet: the first heartbeat's read includes this change.
                return;
            }

            Volatile.Write(ref _paused, (add ? current.Append(type) : current.Where(t => t != type)).ToFrozenSet(StringComparer.Ordinal));
        }
    }
}

/// <summary>
/// Room reserved in one processor run for <see cref="Leased"/>, from before the store writes them until the unit of
/// work ends: <see cref="Deliver"/> after the commit, <see cref="Cancel"/> after a rollback. Exactly one of the two
/// takes effect; later calls do nothing. Used by one unit of work at a time.
/// </summary>
internal sealed class HandOffReservation
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
