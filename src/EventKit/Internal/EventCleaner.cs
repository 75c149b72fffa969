using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

/// <summary>Deletes completed events (and, if configured, dead letters) past retention, in bounded batches.</summary>
internal sealed class EventCleaner(IServiceScopeFactory scopes, IOptions<EventKitOptions> options, TimeProvider time, ILogger<EventCleaner> logger)
{
    public async Task<(int Completed, int DeadLetters)> RunAsync(CancellationToken cancellationToken = default)
    {
        var opts = options.Value;
        var now = time.GetUtcNow();
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IEventStore>();
            var completed = opts.Retention == Timeout.InfiniteTimeSpan
                ? 0
                : await DeleteAllAsync(store, EventStatus.Completed, now - opts.Retention, opts.CleanupBatchSize, cancellationToken).ConfigureAwait(false);
            var deadLetters = opts.DeadLetterRetention is { } deadLetterRetention
                ? await DeleteAllAsync(store, EventStatus.DeadLetter, now - deadLetterRetention, opts.CleanupBatchSize, cancellationToken).ConfigureAwait(false)
                : 0;
            if (completed + deadLetters > 0)
            {
                Log.CleanupCompleted(logger, completed, deadLetters);
            }

            return (completed, deadLetters);
        }
    }

    private static async Task<int> DeleteAllAsync(IEventStore store, EventStatus status, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await store.DeleteProcessedAsync(status, cutoff, batchSize, cancellationToken).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted >= batchSize);

        return total;
    }
}
