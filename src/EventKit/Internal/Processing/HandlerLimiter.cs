namespace EventKit.Internal.Processing;

/// <summary>
/// Caps how many runs of one handler a processor runs at once (<see cref="EventHandlerOptions.MaxConcurrency"/>). An
/// event that would exceed it is parked here, without holding a worker, while other events go on; when a run of the
/// handler ends, its slot passes straight to the event parked longest, which goes back to the workers.
/// </summary>
internal sealed class HandlerLimiter(int limit)
{
    private readonly Lock _gate = new();
    private readonly Queue<LeasedEvent> _parked = new();
    private int _running;

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
            return false;
        }
    }

    /// <summary>Ends a run: returns the parked event the slot now belongs to, or frees the slot and returns <see langword="null"/>.</summary>
    public LeasedEvent? Exit()
    {
        lock (_gate)
        {
            if (_parked.TryDequeue(out var next))
            {
                return next;
            }

            _running--;
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
            return parked;
        }
    }
}
