namespace EventKit.Internal.Processing;

/// <summary>
/// Renews the leases of everything the run holds (buffered, running, and outcomes not yet written) every third of
/// the lease duration, with one timer armed while anything is leased. A lease the store no longer grants is lost:
/// its event is not started, or its running handler's token is cancelled. One renewal runs at a time; a tick that
/// comes while one is still running makes it renew once more, so no tick is lost. Disposing cancels a renewal still
/// running (the run has stopped: no lease needs it), so a database that does not answer cannot hold up a stop.
/// </summary>
internal sealed class LeaseRenewer(EventProcessor processor, LeaseBook book) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly StoreScope _store = new(processor.Scopes);
    private readonly CancellationTokenSource _disposing = new();
    private ITimer? _timer;
    private bool _armed;
    private bool _renewing;
    private bool _again;
    private bool _disposed;
    private Task _running = Task.CompletedTask;

    /// <summary>Makes sure the timer ticks; called after every claim (cheap when already armed).</summary>
    public void Arm()
    {
        if (Volatile.Read(ref _armed))
        {
            return;
        }

        lock (_gate)
        {
            if (_armed || _disposed)
            {
                return;
            }

            var period = processor.Options.LeaseDuration / 3;
            _timer ??= processor.Time.CreateTimer(static s => ((LeaseRenewer)s!).OnTick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(period, period);
            Volatile.Write(ref _armed, true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task running;
        lock (_gate)
        {
            _disposed = true;
            _armed = false;
            _timer?.Dispose();
            running = _running;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    private void OnTick()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (book.Outstanding == 0)
            {
                // Idle: stop ticking until the next claim.
                _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                Volatile.Write(ref _armed, false);
                return;
            }

            if (_renewing)
            {
                _again = true;
                return;
            }

            _renewing = true;
            _running = RenewAsync();
        }
    }

    private async Task RenewAsync()
    {
        // Off the timer's thread and out of the lock before touching the store.
        await Task.Yield();
        while (true)
        {
            await RenewOnceAsync().ConfigureAwait(false);
            lock (_gate)
            {
                if (!_again || _disposed)
                {
                    _again = false;
                    _renewing = false;
                    return;
                }

                _again = false;
            }
        }
    }

    private async Task RenewOnceAsync()
    {
        var ids = book.LeasedIds();
        if (ids.Length == 0)
        {
            return;
        }

        try
        {
            // As for a claim: the store may renew by its own clock; by this processor's, the lease lasts at least this long.
            var now = processor.Time.GetUtcNow();
            var until = now + processor.Options.LeaseDuration;
            var renewed = await _store.Store.RenewLeasesAsync(ids, processor.Owner, now, processor.Options.LeaseDuration, _disposing.Token).ConfigureAwait(false);
            var lost = book.Renewed(ids, renewed, until);
            if (lost > 0)
            {
                Log.LeasesLost(processor.Logger, processor.Owner, lost);
            }
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // The run stopped while the store had not answered; its scope goes with the renewer.
        }
        catch (Exception ex)
        {
            await _store.ResetAsync().ConfigureAwait(false);
            Log.RenewFailed(processor.Logger, processor.Owner, ex);
        }
    }
}
