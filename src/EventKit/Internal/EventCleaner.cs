using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

/// <summary>
/// Deletes completed and cancelled events past <see cref="EventKitOptions.Retention"/> (and, if configured, dead
/// letters past <see cref="EventKitOptions.DeadLetterRetention"/>), in bounded batches. Run by the cleanup timer and by
/// <see cref="IEventOperations.RunRetentionAsync"/>.
/// </summary>
internal sealed class EventCleaner(IServiceScopeFactory scopes, IOptions<EventKitOptions> options, TimeProvider time, ILogger<EventCleaner> logger)
{
    public async Task<RetentionResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var opts = options.Value;
        var now = time.GetUtcNow();
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IEventStore>();
            long completed = 0, cancelled = 0, deadLetters = 0;
            if (opts.Retention != Timeout.InfiniteTimeSpan)
            {
                completed = await DeleteAllAsync(store, EventStatus.Completed, now - opts.Retention, opts.CleanupBatchSize, cancellationToken).ConfigureAwait(false);
                cancelled = await DeleteAllAsync(store, EventStatus.Cancelled, now - opts.Retention, opts.CleanupBatchSize, cancellationToken).ConfigureAwait(false);
            }

            if (opts.DeadLetterRetention != Timeout.InfiniteTimeSpan)
            {
                deadLetters = await DeleteAllAsync(store, EventStatus.DeadLetter, now - opts.DeadLetterRetention, opts.CleanupBatchSize, cancellationToken).ConfigureAwait(false);
            }

            if (completed + cancelled + deadLetters > 0)
            {
                Log.CleanupCompleted(logger, completed, cancelled, deadLetters);
            }

            return new RetentionResult { Completed = completed, Cancelled = cancelled, DeadLetters = deadLetters };
        }
    }

    private static async Task<long> DeleteAllAsync(IEventStore store, EventStatus status, DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken)
    {
        long total = 0;
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
