using System.Runtime.ExceptionServices;

namespace EventKit.Internal.Processing;

/// <summary>The claim loop's waits on the book (for capacity, for quiescence), the run's fault, and the wake-ups.</summary>
internal sealed partial class LeaseBook
{
    /// <summary>Waits until <see cref="ClaimableCount"/> is positive.</summary>
    public ValueTask WaitForCapacityAsync(CancellationToken cancellationToken) => WaitAsync(Wanted.Capacity, cancellationToken);

    /// <summary>Waits until no event is outstanding; throws what <see cref="Fault"/> recorded.</summary>
    public ValueTask WaitForQuiescenceAsync(CancellationToken cancellationToken) => WaitAsync(Wanted.Quiescence, cancellationToken);

    /// <summary>Waits until no room is reserved for hand-offs: every unit of work that wrote rows leased to this run has ended.</summary>
    public ValueTask WaitForNoReservationsAsync(CancellationToken cancellationToken) => WaitAsync(Wanted.NoReservations, cancellationToken);

    /// <summary>Records a failure that ends the run (a drain's writer could not record outcomes) and wakes waiters.</summary>
    public void Fault(Exception exception)
    {
        lock (_gate)
        {
            _fault ??= exception;
            _changed.Writer.TryWrite(true);
        }
    }

    /// <summary>Throws what <see cref="Fault"/> recorded, if anything.</summary>
    public void ThrowIfFaulted()
    {
        lock (_gate)
        {
            if (_fault is { } fault)
            {
                ExceptionDispatchInfo.Throw(fault);
            }
        }
    }

    private async ValueTask WaitAsync(Wanted wanted, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_fault is { } fault)
                {
                    ExceptionDispatchInfo.Throw(fault);
                }

                if (IsMet(wanted))
                {
                    _wanted = Wanted.Nothing;
                    return;
                }

                _wanted = wanted;
            }

            await _changed.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private int Claimable()
    {
        // Payloads held in memory are bounded as well as their number: at most one claim's budget on top of what is
        // held below it (a single event larger than the budget is still claimed when nothing else is held).
        // Room reserved for hand-offs counts as taken. Parked events do not count: each handler's limiter bounds
        // them, and claims pass over its event type while it is full, so they never crowd out other events.
        if (HeldPayload + _reservedPayload >= _maxPayload && Held + _reserved > 0)
        {
            return 0;
        }

        var room = Math.Min(_bufferSize - _buffered - _reserved, _maxOutstanding - Held - _reserved);
        return room >= _claimSize || (room > 0 && _buffered + _reserved == 0) ? Math.Min(room, _claimSize) : 0;
    }

    private bool IsMet(Wanted wanted) => wanted switch
    {
        Wanted.Capacity => Claimable() > 0,
        Wanted.Quiescence => _leased.Count == 0,
        Wanted.NoReservations => _reserved == 0,
        _ => false,
    };

    /// <summary>Wakes the claim loop when what it waits for has come (caller holds the lock).</summary>
    private void Changed()
    {
        if (_wanted != Wanted.Nothing && IsMet(_wanted))
        {
            _wanted = Wanted.Nothing;
            _changed.Writer.TryWrite(true);
        }
    }
}
