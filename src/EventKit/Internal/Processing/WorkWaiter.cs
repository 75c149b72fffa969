namespace EventKit.Internal.Processing;

/// <summary>
/// How an idle claim loop waits: until an in-process signal (a commit, a requeue, a retry that comes due), the next
/// known due time, or the polling interval, whichever comes first. It ticks the heartbeat at least every
/// <see cref="HeartbeatInterval"/> meanwhile, so a long polling interval never reads as a dead processor.
/// </summary>
internal sealed class WorkWaiter(EventProcessor processor, ProcessorRun run)
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Waits until there may be work: something announced as runnable, an announced due time that has come (the signal
    /// keeps every one, so none is lost to a commit announced beside it), or the poll.
    /// </summary>
    public async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        var time = processor.Time;
        var pollAt = time.GetUtcNow() + processor.Options.PollingInterval;
        while (true)
        {
            var now = time.GetUtcNow();
            var (runnable, nextDue) = processor.Signal.Take(now);
            if (runnable)
            {
                return;
            }

            var wakeAt = nextDue is { } d && d < pollAt ? d : pollAt;
            var delay = wakeAt - now;
            if (delay <= TimeSpan.Zero || stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (delay > HeartbeatInterval)
            {
                delay = HeartbeatInterval;
            }

            using var timeout = new CancellationTokenSource(delay, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
            try
            {
                await processor.Signal.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // A slice ended: tell the health check the loop is alive, then decide between a due time and a poll.
                run.Heartbeat();
            }
        }
    }

    /// <summary>Waits until the buffer has room for a claim, ticking the heartbeat meanwhile.</summary>
    public async Task WaitForCapacityAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            using var timeout = new CancellationTokenSource(HeartbeatInterval, processor.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
            try
            {
                await run.Book.WaitForCapacityAsync(linked.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Workers are busy (long handler runs are normal): the loop itself is alive.
                run.Heartbeat();
            }
        }
    }
}
