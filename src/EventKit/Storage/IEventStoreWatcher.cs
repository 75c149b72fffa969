namespace EventKit.Storage;

/// <summary>
/// Tells a running processor, as soon as the store knows, that runnable events may exist which this process did not
/// publish: events committed by another instance sharing the store. The processor finds such events at its next poll
/// (<see cref="EventKitOptions.PollingInterval"/>) anyway; a watcher only makes it look sooner.
/// </summary>
/// <remarks>
/// <para>
/// For store authors. Register implementations as singletons with
/// <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IEventStoreWatcher, MyWatcher&gt;())</c>. The hosted
/// processor (not <c>DrainAsync</c> of the test harness) starts every registered watcher when it starts, on a task of its
/// own, and cancels <c>cancellationToken</c> when it stops, then waits for <see cref="WatchAsync"/> to return. The
/// EF Core store registers one that listens for PostgreSQL notifications.
/// </para>
/// <para>
/// A watcher should wake too often rather than too rarely: a wake-up with nothing to claim costs one claim query,
/// a missed one costs up to a polling interval. It should handle its own failures (reconnect with backoff, and call
/// the wake-up once reconnected, since events may have been committed meanwhile); an exception that escapes is logged
/// and ends that watcher only: polling goes on, and the processor is unaffected.
/// </para>
/// </remarks>
public interface IEventStoreWatcher
{
    /// <summary>
    /// Watches the store until <paramref name="cancellationToken"/> is cancelled, calling <paramref name="wakeUp"/>
    /// whenever runnable events may have been committed. Returns at once when there is nothing to watch (for example
    /// the store's database cannot notify).
    /// </summary>
    /// <param name="wakeUp">
    /// Wakes the processor's claim loop. Cheap, never blocks, never throws, may be called from any thread and any
    /// number of times (calls made while the loop is busy are coalesced into one).
    /// </param>
    /// <param name="cancellationToken">Cancelled when the processor stops.</param>
    /// <returns>A task that completes when watching has ended.</returns>
    Task WatchAsync(Action wakeUp, CancellationToken cancellationToken);
}
