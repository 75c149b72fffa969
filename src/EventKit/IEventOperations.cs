namespace EventKit;

/// <summary>
/// Operations for the host: the original design's metrics, dead-letter listing and requeue, and event lookup.
/// Registered as a singleton by <c>AddEventKit</c>; every call runs in its own DI scope.
/// </summary>
public interface IEventOperations
{
    /// <summary>Gets counts per status and the average processing time (<c>processedAt − createdAt</c> over completed events).</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The metrics.</returns>
    Task<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts events per type published between <paramref name="since"/> and <paramref name="until"/>, both inclusive.</summary>
    /// <param name="since">The start (UTC).</param>
    /// <param name="until">The end (UTC); not before <paramref name="since"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One entry per type, ordered by type name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="until"/> is before <paramref name="since"/>.</exception>
    Task<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Lists dead letters, most recent first, with their last error in <see cref="EventRecord.LastError"/>.</summary>
    /// <param name="type">Only this event type, or <see langword="null"/> for all.</param>
    /// <param name="limit">The largest number to return: 1–10,000. Default 100.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The dead letters.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1–10,000.</exception>
    Task<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Requeues one dead-lettered event: pending, zero attempts, runnable now.</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the event was a dead letter and is now pending.</returns>
    Task<bool> RequeueAsync(Guid eventId, CancellationToken cancellationToken = default);

    /// <summary>Requeues every dead letter of one type.</summary>
    /// <param name="type">The event type name.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The number of events requeued.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is null or blank.</exception>
    Task<int> RequeueDeadLettersAsync(string type, CancellationToken cancellationToken = default);

    /// <summary>Gets one event with its handler log.</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The event and its log, or <see langword="null"/> if it does not exist (or was removed by retention).</returns>
    Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default);
}
