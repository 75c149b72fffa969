using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

/// <summary>
/// The background loop: processes batches while there is work, then waits for an in-process signal, the next
/// known retry or delayed time, or the polling interval, whichever comes first. Failures (a database that is
/// down) are logged and retried with backoff; the loop never ends before the host stops.
/// </summary>
internal sealed class EventProcessorService(
    EventProcessor processor,
    EventSignal signal,
    ProcessorHeartbeat heartbeat,
    TimeProvider time,
    ILogger<EventProcessorService> logger) : BackgroundService
{
    private static readonly TimeSpan MaxErrorDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // No synchronous work before the first await: host start-up must not wait for the store.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);

        var options = processor.Options;
        if (!options.EnableProcessing)
        {
            return;
        }

        using var abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var onStopping = stoppingToken.UnsafeRegister(
            static s =>
            {
                var (source, grace) = ((CancellationTokenSource, TimeSpan))s!;
                try
                {
                    source.CancelAfter(grace);
                }
                catch (ObjectDisposedException)
                {
                    // The loop already ended.
                }
            },
            (abort, options.ShutdownTimeout));

        Log.ProcessorStarted(logger, processor.Owner);
        DateTimeOffset? nextDue = null;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            heartbeat.Beat(time.GetUtcNow());
            BatchResult result;
            try
            {
                result = await processor.ProcessBatchAsync(stoppingToken, abort.Token).ConfigureAwait(false);
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
                Log.ProcessorFailed(logger, processor.Owner, delay, ex);
                try
                {
                    await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            if (result.NextRetryAt is { } retryAt && (nextDue is null || retryAt < nextDue))
            {
                nextDue = retryAt;
            }

            if (result.Claimed == 0)
            {
                nextDue = await WaitForWorkAsync(options.PollingInterval, nextDue, stoppingToken).ConfigureAwait(false);
            }
        }

        Log.ProcessorStopped(logger, processor.Owner);
    }

    /// <summary>Waits until there may be work; returns the earliest known future due time still pending.</summary>
    private async Task<DateTimeOffset?> WaitForWorkAsync(TimeSpan pollingInterval, DateTimeOffset? nextDue, CancellationToken stoppingToken)
    {
        var pollAt = time.GetUtcNow() + pollingInterval;
        while (true)
        {
            var now = time.GetUtcNow();
            if (signal.TakeEarliest() is { } announced)
            {
                if (announced <= now)
                {
                    return nextDue;
                }

                if (nextDue is null || announced < nextDue)
                {
                    nextDue = announced;
                }
            }

            if (nextDue is { } due && due <= now)
            {
                return null;
            }

            var wakeAt = nextDue is { } d && d < pollAt ? d : pollAt;
            var delay = wakeAt - now;
            if (delay <= TimeSpan.Zero || stoppingToken.IsCancellationRequested)
            {
                return nextDue;
            }

            using var timeout = new CancellationTokenSource(delay, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
            try
            {
                await signal.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return nextDue;
            }
            catch (OperationCanceledException)
            {
                // The timer fired: loop once more to decide between a due time and a poll.
            }
        }
    }
}
