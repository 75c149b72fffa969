using System.Collections.Frozen;

using EventKit.Internal.Processing;

namespace EventKit.Storage;

/// <summary>
/// The in-process hand-off: a transactional store that is about to write events asks whether a processor running in
/// this process has room for them. If one has, the store writes them already leased to that processor (status
/// processing, one attempt started, its lease), and after the commit they go straight into its buffer: no claim
/// query, and no other instance can take them while the lease lasts. A rollback gives the room back; a crash or an
/// undelivered commit leaves rows whose lease expires, and which are then claimed like any other (crash recovery is
/// unchanged). Events that cannot be handed off (no processor running, the pipeline full, a delayed event, an
/// idempotency key the store may find taken, an event ordered per entity) are written pending, as without the hand-off.
/// </summary>
/// <remarks>
/// For authors of transactional stores: resolve it from the application's services (it is a singleton registered by
/// <c>AddEventKit()</c>), call <see cref="TryReserve"/> just before writing a unit of work's new events, write the
/// reservation's <see cref="HandOffReservation.Leased"/> events leased to <see cref="HandOffReservation.Owner"/>, and
/// call <see cref="HandOffReservation.Deliver"/> after the commit or <see cref="HandOffReservation.Cancel"/> after a
/// rollback. A store that does not use it loses nothing but the latency it saves. Thread-safe.
/// </remarks>
public sealed class EventHandOff
{
    private readonly Lock _gate = new();
    private ProcessorRun[] _runs = [];
    private int _next;

    /// <summary>
    /// The event types paused in the store, as last read (every heartbeat) or changed by this process; null until first
    /// read: no hand-off before this process knows what is paused.
    /// </summary>
    private FrozenSet<string>? _paused;

    /// <summary>Counts this process's pauses and resumes (and the ends of their store writes); guarded by <see cref="_gate"/>.</summary>
    private int _version;

    internal EventHandOff()
    {
    }

    /// <summary>The run accepts hand-offs from now on (a hosted processor's run, not a drain).</summary>
    internal void Attach(ProcessorRun run)
    {
        lock (_gate)
        {
            _runs = [.. _runs, run];
        }
    }

    /// <summary>The run accepts no more hand-offs (it is stopping); reservations already made are still delivered or cancelled.</summary>
    internal void Detach(ProcessorRun run)
    {
        lock (_gate)
        {
            _runs = [.. _runs.Where(r => !ReferenceEquals(r, run))];
        }
    }

    /// <summary>Whether a running processor would take a hand-off now (caught up and not stopping), room permitting.</summary>
    internal bool IsAccepting => Volatile.Read(ref _paused) is not null && Volatile.Read(ref _runs).Any(r => r.CaughtUp && !r.IsStopping);

    /// <summary>Whether a running processor passes over <paramref name="type"/> now, in claims and hand-offs (a handler of it holds as many parked events as it may).</summary>
    internal bool Excludes(string type) => Volatile.Read(ref _runs).Any(r => r.IsExcluded(type));

    /// <summary>
    /// Starts a read of the paused types from the store (a processor's heartbeat): returns the version of this process's
    /// own changes to pass to <see cref="SetPaused"/>.
    /// </summary>
    internal int BeginReadPaused()
    {
        lock (_gate)
        {
            return _version;
        }
    }

    /// <summary>
    /// The paused types as the store held them for a read begun at <paramref name="version"/>. Ignored when this process
    /// paused or resumed a type since (its change may be newer than what the read saw, and the next read has it).
    /// </summary>
    internal void SetPaused(IEnumerable<string> types, int version)
    {
        var read = types.ToFrozenSet(StringComparer.Ordinal);
        lock (_gate)
        {
            if (version == _version)
            {
                Volatile.Write(ref _paused, read);
            }
        }
    }

    /// <summary>This process pauses <paramref name="type"/>: from now on its events are written pending.</summary>
    internal void Pause(string type) => Change(type, add: true);

    /// <summary>This process resumed <paramref name="type"/>.</summary>
    internal void Resume(string type) => Change(type, add: false);

    /// <summary>
    /// The store write of a pause or resume of this process ended: a read of the paused types that began while it ran
    /// may not have seen it, so that read's result is ignored (<see cref="SetPaused"/>).
    /// </summary>
    internal void ChangeWritten()
    {
        lock (_gate)
        {
            _version++;
        }
    }

    /// <summary>
    /// Reserves room for the events among <paramref name="records"/> that may be handed off, in their order, as many as
    /// a running processor has room for; returns <see langword="null"/> when none can be.
    /// </summary>
    /// <param name="records">The new events about to be written, in publish order.</param>
    /// <returns>The reservation (its <see cref="HandOffReservation.Leased"/> events are written leased), or <see langword="null"/> to write them all pending.</returns>
    public HandOffReservation? TryReserve(IReadOnlyList<EventRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
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
    internal static bool Eligible(EventRecord record, DateTimeOffset now, FrozenSet<string> paused) =>

        // A keyed event may not be stored at all (its key taken by another unit of work); a delayed one is not runnable;
        // a paused type's events stay pending until it is resumed; an ordered one may have to wait for an earlier event
        // of its entity, which only the claim can tell.
        record.IdempotencyKey is null && record.Ordering == EventOrdering.None && record.AvailableAt <= now && !paused.Contains(record.Type);

    private void Change(string type, bool add)
    {
        lock (_gate)
        {
            _version++;
            var current = Volatile.Read(ref _paused);
            if (current is null)
            {
                // Not read yet: a read that began before this change is ignored (the version moved), a later one includes it.
                return;
            }

            Volatile.Write(ref _paused, (add ? current.Append(type) : current.Where(t => t != type)).ToFrozenSet(StringComparer.Ordinal));
        }
    }
}
