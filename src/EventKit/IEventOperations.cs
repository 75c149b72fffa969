namespace EventKit;

/// <summary>
/// Operations for the host: metrics and queries over the events, their log and the running processors, and audited
/// admin actions (requeue, replay, cancel, purge, pause, retention). Registered as a singleton by <c>AddEventKit</c>;
/// every call runs in its own DI scope.
/// </summary>
/// <remarks>
/// Every action on events records who did it and why: requeue, replay and cancel add an operator entry to each event's
/// log (<see cref="EventLogEntry.Kind"/>), pauses keep theirs in <see cref="EventTypePause"/>. Bad arguments throw an
/// <see cref="ArgumentException"/> naming the argument before anything changes; an unknown event id, or an event in
/// another status than the action needs, gives <see langword="false"/> (or a count of 0). Bulk actions work in batches
/// of <see cref="EventKitOptions.CleanupBatchSize"/> events, each batch atomic, so a retried call does the rest.
/// </remarks>
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

    /// <summary>Gets one event with its handler log.</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The event and its log, or <see langword="null"/> if it does not exist (or was removed by retention).</returns>
    Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists events matching <paramref name="filter"/>, one page at a time, newest or oldest first (by creation time,
    /// then id). Pages are keyset-paged: pass <see cref="EventPage.ContinuationToken"/> back, with the same filter and
    /// order, for the next page.
    /// </summary>
    /// <param name="filter">The events to list, or <see langword="null"/> for all.</param>
    /// <param name="order">The order. Default <see cref="EventOrder.NewestFirst"/>.</param>
    /// <param name="pageSize">The largest number of events per page: 1–1,000. Default 100.</param>
    /// <param name="continuationToken">The token of the previous page, or <see langword="null"/> for the first.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="filter"/> is invalid (an undefined status, a blank or too long type, entity or entity id, an
    /// entity id without an entity, <see cref="EventFilter.CreatedBefore"/> before <see cref="EventFilter.CreatedFrom"/>),
    /// <paramref name="order"/> is undefined, or <paramref name="continuationToken"/> is malformed or belongs to another
    /// filter or order.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is outside 1–1,000.</exception>
    Task<EventPage> GetEventsAsync(EventFilter? filter = null, EventOrder order = EventOrder.NewestFirst, int pageSize = 100, string? continuationToken = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts what happened to events per minute, hour or day over [<paramref name="since"/>, <paramref name="before"/>):
    /// created, completed, failed attempts, dead-lettered and cancelled (see <see cref="EventTimelineBucket"/>),
    /// computed by the store. Completed, dead-lettered and cancelled counts cover the events still stored (retention
    /// removes old ones).
    /// </summary>
    /// <param name="since">The start (UTC), rounded down to the interval.</param>
    /// <param name="before">The end (UTC, exclusive), rounded up to the interval; after <paramref name="since"/>.</param>
    /// <param name="interval">The bucket width.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>Every bucket of the range, in time order, empty ones included.</returns>
    /// <exception cref="ArgumentException"><paramref name="interval"/> is not Minute, Hour or Day.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="before"/> is not after <paramref name="since"/>, or the range has more than 10,000 buckets.</exception>
    Task<IReadOnlyList<EventTimelineBucket>> GetTimelineAsync(DateTimeOffset since, DateTimeOffset before, EventTimelineInterval interval, CancellationToken cancellationToken = default);

    /// <summary>Computes, per event type, how the events created in [<paramref name="since"/>, <paramref name="before"/>) fared.</summary>
    /// <param name="since">The start (UTC).</param>
    /// <param name="before">The end (UTC, exclusive); after <paramref name="since"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One entry per type, ordered by type name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="before"/> is not after <paramref name="since"/>.</exception>
    Task<IReadOnlyList<EventTypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Computes, per handler, its runs that ended in [<paramref name="since"/>, <paramref name="before"/>).</summary>
    /// <param name="since">The start (UTC).</param>
    /// <param name="before">The end (UTC, exclusive); after <paramref name="since"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One entry per handler name, ordered by name.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="before"/> is not after <paramref name="since"/>.</exception>
    Task<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets how long the oldest runnable event has been waiting (<see cref="EventBacklog.OldestRunnableAt"/> until now):
    /// pending or failed and due, or leased with an expired lease. Events of paused types count.
    /// </summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The age, or <see langword="null"/> when nothing is waiting to run.</returns>
    Task<TimeSpan?> GetOldestPendingAgeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the processors alive on the store: those whose last heartbeat is at most three
    /// <see cref="EventKitOptions.ProcessorHeartbeatInterval"/>s old (by this instance's clock).
    /// </summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>Their heartbeats, ordered by id.</returns>
    Task<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Requeues one failed or dead-lettered event: pending and runnable now, with a fresh
    /// <see cref="EventKitOptions.MaxAttempts"/> budget; its attempt numbers go on, and handlers that already succeeded
    /// are not run again. An operator entry (<see cref="EventLogKind.Requeue"/>) records who and why.
    /// </summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="actor">Who requeues it: not blank, at most 200 characters.</param>
    /// <param name="reason">Why: not blank, at most 2,000 characters.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the event was failed or dead-lettered and is now pending.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> or <paramref name="reason"/> is blank or too long.</exception>
    Task<bool> RequeueAsync(Guid eventId, string actor, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requeues every failed and dead-lettered event matching <paramref name="filter"/>, as
    /// <see cref="RequeueAsync(Guid, string, string, CancellationToken)"/> does one, in batches (oldest created first).
    /// The call ends once a batch reaches the newest event that matched when it started, so it ends however fast
    /// matching events keep arriving; its last batch may requeue some that arrived meanwhile.
    /// </summary>
    /// <param name="filter">The events: <see cref="EventFilter.Status"/> must be <see langword="null"/> (both), failed or dead letter.</param>
    /// <param name="actor">Who requeues them: not blank, at most 200 characters.</param>
    /// <param name="reason">Why: not blank, at most 2,000 characters.</param>
    /// <param name="cancellationToken">A token to cancel the operation; batches already done stay done.</param>
    /// <returns>The number of events requeued.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="filter"/> is invalid or selects another status, or <paramref name="actor"/> or
    /// <paramref name="reason"/> is blank or too long.
    /// </exception>
    Task<int> RequeueMatchingAsync(EventFilter filter, string actor, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs one handler, or every handler, of a completed event again (for example after fixing a bug in it): the event
    /// becomes pending and runnable now with a fresh attempt budget, and an operator entry
    /// (<see cref="EventLogKind.Replay"/>) records who and why. Other handlers that succeeded are not run again.
    /// </summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="handler">The handler's name (<see cref="EventHandlerOptions.Name"/>), or <see langword="null"/> for every handler.</param>
    /// <param name="actor">Who replays it: not blank, at most 200 characters.</param>
    /// <param name="reason">Why: not blank, at most 2,000 characters.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the event was completed and is now pending.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="handler"/> is not a handler registered here, or <paramref name="actor"/> or
    /// <paramref name="reason"/> is blank or too long.
    /// </exception>
    Task<bool> ReplayAsync(Guid eventId, string? handler, string actor, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a pending, delayed or failed (waiting for a retry) event: it becomes <see cref="EventStatus.Cancelled"/>,
    /// is never handled, and is removed by retention like a completed event. An operator entry
    /// (<see cref="EventLogKind.Cancel"/>) records who and why. An event being processed cannot be cancelled.
    /// </summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="actor">Who cancels it: not blank, at most 200 characters.</param>
    /// <param name="reason">Why: not blank, at most 2,000 characters.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the event was pending or failed and is now cancelled.</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> or <paramref name="reason"/> is blank or too long.</exception>
    Task<bool> CancelAsync(Guid eventId, string actor, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the events matching <paramref name="filter"/> with their logs, in batches; events being processed are
    /// kept. Only events up to the newest one that matched when the call started are deleted (by creation time, then
    /// id): events published while it runs are kept, so the call ends however fast matching events arrive. The purge is
    /// logged (at Information: the count and who; at Debug: the filter and the reason), not recorded in the events'
    /// logs, which go with them.
    /// </summary>
    /// <param name="filter">The events: at least one property must be set (purging everything is refused).</param>
    /// <param name="actor">Who purges them: not blank, at most 200 characters.</param>
    /// <param name="reason">Why: not blank, at most 2,000 characters.</param>
    /// <param name="cancellationToken">A token to cancel the operation; batches already done stay done.</param>
    /// <returns>The number of events deleted.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="filter"/> is invalid or empty, or selects <see cref="EventStatus.Processing"/>, or
    /// <paramref name="actor"/> or <paramref name="reason"/> is blank or too long.
    /// </exception>
    Task<int> PurgeAsync(EventFilter filter, string actor, string reason, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pauses an event type on every instance sharing the store: its events stay pending (or failed) and no processor
    /// claims them until <see cref="ResumeAsync"/>. The pause is stored, so restarts and other instances honour it;
    /// events already claimed finish.
    /// </summary>
    /// <param name="type">The event type name.</param>
    /// <param name="actor">Who pauses it: not blank, at most 200 characters.</param>
    /// <param name="reason">Why: not blank, at most 2,000 characters.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if it was not paused already (an existing pause is kept as it was).</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a valid event type name, or <paramref name="actor"/> or <paramref name="reason"/> is blank or too long.</exception>
    Task<bool> PauseAsync(string type, string actor, string reason, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused event type: its waiting events are claimed again at once. Logged at Information with who resumed it.</summary>
    /// <param name="type">The event type name.</param>
    /// <param name="actor">Who resumes it: not blank, at most 200 characters.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if it was paused.</returns>
    /// <exception cref="ArgumentException"><paramref name="type"/> is not a valid event type name, or <paramref name="actor"/> is blank or too long.</exception>
    Task<bool> ResumeAsync(string type, string actor, CancellationToken cancellationToken = default);

    /// <summary>Lists the paused event types, ordered by type name.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The pauses, with who paused each and why.</returns>
    Task<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs retention now, as the cleanup timer does every <see cref="EventKitOptions.CleanupInterval"/>: deletes completed
    /// and cancelled events older than <see cref="EventKitOptions.Retention"/> and, when
    /// <see cref="EventKitOptions.DeadLetterRetention"/> is not <see cref="Timeout.InfiniteTimeSpan"/>, older dead letters, with their logs, in batches. Ages are
    /// measured by the registered <see cref="TimeProvider"/>.
    /// </summary>
    /// <param name="cancellationToken">A token to cancel the operation; batches already done stay done.</param>
    /// <returns>What was deleted.</returns>
    Task<RetentionResult> RunRetentionAsync(CancellationToken cancellationToken = default);
}
