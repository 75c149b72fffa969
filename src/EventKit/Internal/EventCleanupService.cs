using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

/// <summary>Runs <see cref="EventCleaner"/> at start and then every <see cref="EventKitOptions.CleanupInterval"/>.</summary>
internal sealed class EventCleanupService(EventCleaner cleaner, IOptions<EventKitOptions> options, TimeProvider time, ILogger<EventCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var opts = options.Value;
        if (!opts.EnableProcessing)
        {
            return;
        }

        using var timer = new PeriodicTimer(opts.CleanupInterval, time);
        try
        {
            do
            {
                try
                {
                    await cleaner.RunAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.CleanupFailed(logger, opts.CleanupInterval, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}
