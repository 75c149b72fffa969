namespace EventKit.Internal.Processing;

/// <summary>How a run stops: nothing new starts, unstarted and parked events are released, known outcomes are written.</summary>
internal sealed partial class ProcessorRun
{
    /// <summary>
    /// How long, by the real clock, a hard stop (the host waits no longer) still waits for handlers it cancelled to
    /// return and for their outcomes to be written: a handler that honours its token loses no attempt to the stop.
    /// </summary>
    public static readonly TimeSpan HardStopFlush = TimeSpan.FromSeconds(2);

    /// <summary>From now on workers start nothing new; what they take from the buffer is released.</summary>
    public void BeginStopping() => _stopping = true;

    /// <summary>Cancels every running handler (the shutdown grace period is over); nothing more starts.</summary>
    public void Abort()
    {
        _stopping = true;
        foreach (var slot in _slots)
        {
            slot.Abort();
        }
    }

    /// <summary>
    /// Stops: unstarted events are released, running handlers finish (or are cancelled by <see cref="Abort"/>),
    /// outcomes already known are written. Waits no longer than <paramref name="hardStop"/> allows, and for units of
    /// work that wrote rows leased to this run no longer than <paramref name="graceOver"/>.
    /// </summary>
    public async Task StopAsync(CancellationToken hardStop, CancellationToken graceOver = default)
    {
        _stopping = true;
        Buffer.Writer.TryComplete();
        while (Buffer.Reader.TryRead(out var leased))
        {
            Release(leased);
        }

        try
        {
            await Task.WhenAll(_workers).WaitAsync(hardStop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            // The host waits no longer: every handler still running is cancelled now, and those that honour it get a
            // moment to return, so their events are released with the attempt uncounted rather than left to the lease.
            Abort();
            await Task.WhenAll(_workers).WaitAsync(HardStopFlush).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var slot in _slots)
            {
                if (slot.Inspect() is { Running: true } view)
                {
                    Log.RunAbandoned(_processor.Logger, view.Handler, view.EventId, Time.GetElapsedTime(view.StartedAt));
                }
            }
        }

        // Events parked at a handler's limit had runs in this attempt: release them with those runs.
        foreach (var limiter in _limiters?.Values.Distinct() ?? Enumerable.Empty<HandlerLimiter>())
        {
            foreach (var parked in limiter.TakeParked())
            {
                Release(parked, buffered: false);
            }
        }

        // A unit of work that wrote rows leased to this run and commits now hands them over, and they are released (not
        // run: the run is stopping) through the writer; wait for it, within the grace period, rather than leave them
        // to their lease with an attempt counted.
        if (!IsDrain)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(hardStop, graceOver);
            try
            {
                await Book.WaitForNoReservationsAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (either.IsCancellationRequested)
            {
                // Those that commit later are released through the store (Deliver).
            }
        }

        CloseDeliveries();
        Writer.Complete();
        await Writer.Completion.ConfigureAwait(false);
        await _renewer.DisposeAsync().ConfigureAwait(false);
        _watchdog.Dispose();
        if (!IsDrain && Volatile.Read(ref _released) is var released and > 0)
        {
            Log.Released(_processor.Logger, _processor.Owner, released);
        }
    }
}
