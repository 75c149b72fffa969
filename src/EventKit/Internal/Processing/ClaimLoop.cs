namespace EventKit.Internal.Processing;

/// <summary>
/// Keeps the run's buffer of leased events full: claims BatchSize more as soon as that much of the buffer (twice
/// BatchSize) is free, not when a whole batch has finished, and waits for a signal, a due time or the polling
/// interval when the store has nothing runnable. A store that fails is logged and retried with backoff; the loop ends only when the host stops.
/// </summary>
internal sealed class ClaimLoop(EventProcessor processor, ProcessorRun run) : IAsyncDisposable
{
    private static readonly TimeSpan MaxErrorDelay = TimeSpan.FromSeconds(30);
    private readonly StoreScope _store = new(processor.Scopes);
    private bool _cutByPayload;

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    /// <summary>Claims until <paramref name="stoppingToken"/> is cancelled.</summary>
    /// <param name="stoppingToken">Stops claiming.</param>
    /// <param name="claimToken">Cancels a claim in flight (the shutdown grace period is over).</param>
    public async Task RunAsync(CancellationToken stoppingToken, CancellationToken claimToken)
    {
        var waiter = new WorkWaiter(processor, run);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            run.Heartbeat();
            var wanted = run.Book.ClaimableCount();
            if (wanted == 0)
            {
                try
                {
                    await waiter.WaitForCapacityAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }

                continue;
            }

            int claimed;
            try
            {
                claimed = await ClaimAsync(wanted, claimToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxErrorDelay.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures - 1, 10))));
                Log.ClaimFailed(processor.Logger, processor.Owner, delay, ex);
                try
                {
                    await Task.Delay(delay, processor.Time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            run.CaughtUp = claimed < wanted && !_cutByPayload;
            if (run.CaughtUp)
            {
                // Nothing more is runnable now: wait for work instead of asking again.
                await waiter.WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Claims up to <paramref name="count"/> events into the run's buffer; returns how many.</summary>
    public async Task<int> ClaimAsync(int count, CancellationToken cancellationToken)
    {
        // The store may grant the lease by its own clock (PostgreSQL: the database's); read before the call, now plus
        // the lease duration is when the lease ends at the earliest by this processor's clock, which is what it counts on.
        var now = processor.Time.GetUtcNow();
        var leaseDuration = processor.Options.LeaseDuration;
        var leaseUntil = now + leaseDuration;
        IReadOnlyList<ClaimedEvent> claimed;
        try
        {
            claimed = await _store.Store.ClaimAsync(processor.Owner, count, processor.Options.MaxClaimPayloadSize, now, leaseDuration, run.ExcludedTypes(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _store.ResetAsync().ConfigureAwait(false);
            throw;
        }

        // A short claim that carries at least half the payload budget was most likely cut by it: more may be runnable,
        // so the loop claims again as soon as the payloads held allow, instead of waiting for a poll.
        long payload = 0;
        foreach (var item in claimed)
        {
            payload += item.Event.Payload.Length;
        }

        _cutByPayload = claimed.Count < count && payload >= processor.Options.MaxClaimPayloadSize / 2;
        if (claimed.Count > 0)
        {
            run.Enqueue(claimed, leaseUntil);
        }

        return claimed.Count;
    }
}
