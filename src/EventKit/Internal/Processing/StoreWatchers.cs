namespace EventKit.Internal.Processing;

/// <summary>
/// Runs the store's <see cref="IEventStoreWatcher"/>s beside a hosted processor's claim loop: each on a task of its own,
/// waking the loop through the processor's <see cref="EventSignal"/>. A watcher that fails is logged and ends alone;
/// polling goes on.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "StopAsync disposes it; the processor always stops what it started.")]
internal sealed class StoreWatchers
{
    private readonly EventProcessor _processor;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _tasks;

    private StoreWatchers(EventProcessor processor, IReadOnlyList<IEventStoreWatcher> watchers)
    {
        _processor = processor;
        Action wakeUp = processor.WakeUp;
        _tasks = [.. watchers.Select(w => Task.Run(() => WatchAsync(w, wakeUp, _stop.Token)))];
    }

    /// <summary>Starts every watcher of <paramref name="processor"/>.</summary>
    public static StoreWatchers Start(EventProcessor processor) => new(processor, processor.Watchers);

    /// <summary>Cancels the watchers and waits for them to return.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_tasks).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task WatchAsync(IEventStoreWatcher watcher, Action wakeUp, CancellationToken stoppingToken)
    {
        try
        {
            await watcher.WatchAsync(wakeUp, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            Log.WatcherFailed(_processor.Logger, _processor.Owner, watcher.GetType().Name, ex);
        }
    }
}
