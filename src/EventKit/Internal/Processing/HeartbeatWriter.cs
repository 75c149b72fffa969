using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Internal.Processing;

/// <summary>
/// Records a running processor's heartbeat row every <see cref="EventKitOptions.ProcessorHeartbeatInterval"/> (and at
/// start), so every instance sharing the store can list the processors alive; deletes the row when the processor stops
/// cleanly. A failed write is logged and retried at the next interval: it never stops processing.
/// </summary>
internal sealed class HeartbeatWriter(EventProcessor processor, ProcessorRun run)
{
    private readonly DateTimeOffset _startedAt = processor.Time.GetUtcNow();

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var interval = processor.Options.ProcessorHeartbeatInterval;
        using var timer = new PeriodicTimer(interval, processor.Time);
        try
        {
            do
            {
                await BeatAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the row is removed by RemoveAsync.
        }
    }

    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WithStoreAsync(store => store.RemoveProcessorAsync(processor.Owner, cancellationToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's hard stop left no time for it: the row ages out, and the processor still stops as usual.
        }
        catch (Exception ex)
        {
            // The row then ages out: other processors delete it after three intervals.
            Log.HeartbeatFailed(processor.Logger, processor.Owner, ex);
        }
    }

    private async Task BeatAsync(CancellationToken stoppingToken)
    {
        var now = processor.Time.GetUtcNow();
        var info = new EventProcessorInfo
        {
            Id = processor.Owner,
            Host = Environment.MachineName,
            StartedAt = _startedAt,
            LastSeenAt = now,
            InFlight = run.Book.Outstanding,
        };
        try
        {
            await WithStoreAsync(async store =>
            {
                // The paused types, for the hand-off (the claim reads them itself): a pause made by another instance
                // reaches this one's hand-off within one interval.
                // A pause or resume this process makes meanwhile wins over what the read saw.
                var version = processor.HandOff.BeginReadPaused();
                processor.HandOff.SetPaused((await store.GetPausesAsync(stoppingToken).ConfigureAwait(false)).Select(p => p.Type), version);
                await store.RecordProcessorAsync(info, now - (3 * processor.Options.ProcessorHeartbeatInterval), stoppingToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            Log.HeartbeatFailed(processor.Logger, processor.Owner, ex);
        }
    }

    private async Task WithStoreAsync(Func<IEventStore, ValueTask> action)
    {
        var scope = processor.Scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await action(scope.ServiceProvider.GetRequiredService<IEventStore>()).ConfigureAwait(false);
        }
    }
}
