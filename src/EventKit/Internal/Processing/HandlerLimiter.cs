namespace EventKit.Internal.Processing;

/// <summary>
/// Caps how many runs of one handler a processor runs at once (<see cref="EventHandlerOptions.MaxConcurrency"/>). An
/// event that would exceed it is parked here, without holding a worker, while other events go on; when a run of the
/// handler ends, its slot passes straight to the event parked longest, which goes back to the workers.
/// </summary>
/// <remarks>
/// Parked events are bounded: once <c>parkedCount</c> events or <c>parkedBytes</c> of payload wait here, the limiter is
/// <see cref="IsFull">full</see>, and the run's claims pass over the handler's event type until a run ends, so a backlog
/// of one throttled handler stays in the store instead of filling the processor that every other event needs.
/// </remarks>
internal sealed class HandlerLimiter(int limit, int parkedCount, long parkedBytes)
{
    private readonly Lock _gate = new();
    private readonly Queue<LeasedEvent> _parked = new();
    private long _bytes;
    private int _running;

    /// <summary>As many events wait here as it holds: claims pass over the handler's event type.</summary>
    public bool IsFull
    {
        get
        {
            lock (_gate)
            {
                return Full();
            }
        }
    }

    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_running < limit)
            {
                _running++;
                return true;
            }

            return false;
        }
    }

    /// <summary>Takes a slot if one is free by now; otherwise parks <paramref name="leased"/> and returns <see langword="false"/>.</summary>
    public bool EnterOrPark(LeasedEvent leased)
    {
        lock (_gate)
        {
            if (_running < limit)
            {
                _running++;
                return true;
            }

            _parked.Enqueue(leased);
            _bytes += leased.Event.Payload.Length;
            return false;
        }
    }

    /// <summary>
    /// Ends a run: returns the parked event the slot now belongs to, or frees the slot and returns <see langword="null"/>.
    /// <paramref name="relieved"/> tells whether the limiter stopped being <see cref="IsFull">full</see> by it.
    /// </summary>
    public LeasedEvent? Exit(out bool relieved)
    {
        lock (_gate)
        {
            var wasFull = Full();
            if (_parked.TryDequeue(out var next))
            {
                _bytes -= next.Event.Payload.Length;
                relieved = wasFull && !Full();
                return next;
            }

            _running--;
            relieved = false;
            return null;
        }
    }

    /// <summary>Takes every parked event (the run is stopping).</summary>
    public List<LeasedEvent> TakeParked()
    {
        lock (_gate)
        {
            var parked = new List<LeasedEvent>(_parked);
            _parked.Clear();
            _bytes = 0;
            return parked;
        }
    }

    private bool Full() => _parked.Count >= parkedCount || _bytes >= parkedBytes;
}
