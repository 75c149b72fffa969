using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

/// <summary>
/// Samples the store's backlog every <see cref="Interval"/> for the gauges, on its own timer so that a stuck
/// processor does not also freeze the signal that reveals it.
/// </summary>
internal sealed class EventBacklogSampler(
    IServiceScopeFactory scopes,
    EventKitTelemetry telemetry,
    IOptions<EventKitOptions> options,
    TimeProvider time,
    ILogger<EventBacklogSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public async Task SampleAsync(CancellationToken cancellationToken = default)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IEventStore>();
            var backlog = await store.GetBacklogAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            telemetry.UpdateBacklog(StoreName(store), backlog);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        if (!options.Value.EnableProcessing)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.BacklogSampleFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    private static string StoreName(IEventStore store)
    {
        var name = store.GetType().Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
