using System.Threading.Channels;

namespace EventKit.Internal.Processing;

/// <summary>
/// Every event leased to one processor run, from claim until its outcome is recorded: the claim loop's capacity
/// (how many wait in the buffer, how many are outstanding in all), the ids the lease renewer renews, and the link
/// from an event to the worker running it, so a lost lease cancels exactly that run.
/// </summary>
internal sealed partial class LeaseBook
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, LeasedEvent> _leased = [];
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly int _bufferSize;
    private readonly int _claimSize;
    private readonly int _maxOutstanding;
    private readonly long _maxPayload;
    private long _payload;
    private long _reservedPayload;
    private long _parkedPayload;
    private int _parked;
    private int _buffered;
    private int _reserved;
    private Wanted _wanted;
    private Exception? _fault;

    /// <param name="batchSize">How many events one claim takes (BatchSize).</param>
    /// <param name="workers">How many run at once (MaxConcurrency).</param>
    /// <param name="maxPayload">The payload one claim may load (MaxClaimPayloadSize): no claim while the events held already carry that much.</param>
    public LeaseBook(int batchSize, int workers, long maxPayload)
    {
        _maxPayload = maxPayload;
        // Claims take BatchSize events once that much of the buffer is free, so the buffer holds one to two claims'
        // worth: claims keep their size (and their cost per event), and the workers never wait for the next one.
        _claimSize = batchSize;
        _bufferSize = 2 * batchSize;

        // Room for a full buffer, every worker, and a claim's worth of outcomes waiting to be written.
        _maxOutstanding = (3 * batchSize) + workers;
    }

    private enum Wanted
    {
        Nothing,
        Capacity,
        Quiescence,
        NoReservations,
    }

    public int Outstanding
    {
        get
        {
            lock (_gate)
            {
                return _leased.Count;
            }
        }
    }

    /// <summary>How many events to claim now: 0 while less than a claim's worth of the buffer is free (and it is not empty).</summary>
    public int ClaimableCount()
    {
        lock (_gate)
        {
            return Claimable();
        }
    }

    /// <summary>
    /// Adds a claimed event to the buffer's count; returns <see langword="false"/> when this run still holds the event
    /// from an earlier claim (its lease had expired, and this processor claimed it again): that claim only renews the
    /// lease, so one event never runs twice at once here.
    /// </summary>
    public bool TryAdd(LeasedEvent leased)
    {
        lock (_gate)
        {
            if (_leased.TryGetValue(leased.Event.Id, out var held))
            {
                held.LeaseUntil = leased.LeaseUntil;
                held.LeaseLost = false;
                return false;
            }

            _leased.Add(leased.Event.Id, leased);
            _buffered++;
            _payload += leased.Event.Payload.Length;
            return true;
        }
    }

    /// <summary>A worker took <paramref name="leased"/> from the buffer; returns whether it may run (lease not lost).</summary>
    public bool TryStart(LeasedEvent leased, RunSlot slot)
    {
        lock (_gate)
        {
            _buffered--;

            // A resumed event runs even if its lease was lost meanwhile: the runner records the runs it already had
            // and passes on the slot it holds.
            var start = !leased.LeaseLost || leased.Progress is not null;
            if (start)
            {
                leased.State = LeaseState.Running;
                leased.Slot = slot;
            }

            Changed();
            return start;
        }
    }

    /// <summary>
    /// A running event parks at a handler's concurrency limit: it holds no worker until it resumes, and no longer
    /// counts against the claims' capacity (the handler's limiter bounds parked events instead).
    /// </summary>
    public void Park(LeasedEvent leased)
    {
        lock (_gate)
        {
            leased.State = LeaseState.Parked;
            leased.Slot = null;
            _parked++;
            _parkedPayload += leased.Event.Payload.Length;
            Changed();
        }
    }

    /// <summary>The slot freed before the event was parked after all: it runs on in its worker.</summary>
    public void Unpark(LeasedEvent leased, RunSlot slot)
    {
        lock (_gate)
        {
            Unparked(leased);
            leased.State = LeaseState.Running;
            leased.Slot = slot;
        }
    }

    /// <summary>A parked event goes back to the buffer for a worker to resume it.</summary>
    public void Resume(LeasedEvent leased)
    {
        lock (_gate)
        {
            Unparked(leased);
            leased.State = LeaseState.Buffered;
            _buffered++;
        }
    }

    /// <summary>The event left the buffer without running (released at shutdown).</summary>
    public void Unbuffer()
    {
        lock (_gate)
        {
            _buffered--;
            Changed();
        }
    }

    /// <summary>The handlers have run; the outcome goes to the writer.</summary>
    public void Finished(LeasedEvent leased)
    {
        lock (_gate)
        {
            if (leased.State == LeaseState.Parked)
            {
                Unparked(leased); // released at a stop
            }

            leased.State = LeaseState.Writing;
            leased.Slot = null;
        }
    }

    /// <summary>The outcome is recorded (or given up): the lease is no longer ours to renew.</summary>
    public void Remove(LeasedEvent leased)
    {
        lock (_gate)
        {
            if (_leased.TryGetValue(leased.Event.Id, out var held) && ReferenceEquals(held, leased))
            {
                _leased.Remove(leased.Event.Id);
                _payload -= leased.Event.Payload.Length;
            }

            Changed();
        }
    }

    /// <summary>Events held, parked ones aside: what counts against the claims' capacity (caller holds the lock).</summary>
    private int Held => _leased.Count - _parked;

    /// <summary>Their payload (caller holds the lock).</summary>
    private long HeldPayload => _payload - _parkedPayload;

    private void Unparked(LeasedEvent leased)
    {
        if (leased.State == LeaseState.Parked)
        {
            _parked--;
            _parkedPayload -= leased.Event.Payload.Length;
        }
    }

    public Guid[] LeasedIds()
    {
        lock (_gate)
        {
            return [.. _leased.Keys];
        }
    }

    /// <summary>Applies a renewal: the renewed leases run until <paramref name="until"/>; the others are lost.</summary>
    /// <returns>How many leases were found lost.</returns>
    public int Renewed(Guid[] requested, IReadOnlyCollection<Guid> renewed, DateTimeOffset until)
    {
        var held = renewed as ISet<Guid> ?? new HashSet<Guid>(renewed);
        List<(RunSlot Slot, LeasedEvent Event)>? cancel = null;
        var lost = 0;
        lock (_gate)
        {
            foreach (var id in requested)
            {
                if (!_leased.TryGetValue(id, out var leased))
                {
                    continue; // settled meanwhile
                }

                if (held.Contains(id))
                {
                    leased.LeaseUntil = until;
                }
                else if (!leased.LeaseLost && leased.State != LeaseState.Writing)
                {
                    // An event whose outcome is being written may have been settled just before the renewal ran.
                    leased.LeaseLost = true;
                    lost++;
                    if (leased is { State: LeaseState.Running, Slot: { } slot })
                    {
                        (cancel ??= []).Add((slot, leased));
                    }
                }
            }
        }

        foreach (var (slot, leased) in cancel ?? [])
        {
            slot.CancelEvent(leased.Event.Id, CancelReason.LeaseLost);
        }

        return lost;
    }
}
