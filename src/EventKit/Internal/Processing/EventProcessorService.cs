using Microsoft.Extensions.Hosting;

namespace EventKit.Internal.Processing;

/// <summary>
/// The hosted processor: runs the <see cref="EventProcessor"/> pipeline until the host stops. The host's own stop
/// token (its shutdown timeout) bounds how long stopping may take.
/// </summary>
internal sealed class EventProcessorService(EventProcessor processor) : BackgroundService
{
    private readonly CancellationTokenSource _hardStop = new();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static s => Cancel((CancellationTokenSource)s!), _hardStop))
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        if (ExecuteTask is { IsCompleted: false } running)
        {
            // The host waits no longer (its shutdown timeout). The base's wait ends on the same token, and its
            // continuation can run inline before the registration above: disposing that registration then removed it
            // unrun, so the processor never heard of the hard stop and waited for a stubborn handler for ever. Stop it
            // here; it then returns within ProcessorRun.HardStopFlush (cancelling what still runs, recording the outcomes of
            // handlers that return, abandoning the others: warning 1026), and is waited for so that it
            // does so before the host disposes the services it logs and writes with.
            Cancel(_hardStop);
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _hardStop.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // No synchronous work before the first await: host start-up must not wait for the store.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        if (!processor.Options.EnableProcessing)
        {
            return;
        }

        await processor.RunAsync(stoppingToken, _hardStop.Token).ConfigureAwait(false);
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Stopped already.
        }
    }
}
