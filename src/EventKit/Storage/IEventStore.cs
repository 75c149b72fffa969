namespace EventKit.Storage;

/// <summary>
/// Persists events and their handler log, and hands out leases on runnable events.
/// </summary>
/// <remarks>
/// <para>
/// EventKit ships an in-memory store (<c>UseInMemoryStore()</c>) and an EF Core store (package
/// <c>EventKit.EntityFramework</c>). A store is resolved from a DI scope for every unit of work, so it may be
/// registered as a singleton or as a scoped service (for example around the application's <c>DbContext</c>).
/// </para>
/// <para>
/// Every store must honour the same contract: claims are atomic (an event is leased by at most one owner at a
/// time, across threads and processes); an expired lease makes the event claimable again; settling applies a
/// status change only while the caller still holds the lease, but always stores the log entries. All times are
/// UTC. They come from the caller, with one exception: leases. A store shared by several machines should measure
/// leases by one clock of its own (the PostgreSQL store uses the database's), so that the callers' clocks do not
/// matter; a store that measures leases by its callers' clocks must tolerate a skew between them of up to the lease
/// duration (see <see cref="ClaimAsync"/>).
/// </para>
/// </remarks>
public interface IEventStore
{
    /// <summary>
    /// Adds a new <see cref="EventStatus.Pending"/> event. For a transactional store the event is written with the
    /// caller's unit of work (it becomes visible when that commits).
    /// </summary>
    /// <param name="record">The event to add.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>
    /// The id of the stored event: <paramref name="record"/>'s id, or, when an event with the same
    /// <see cref="EventRecord.IdempotencyKey"/> already exists, that event's id (nothing is added).
    /// </returns>
    ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds many new <see cref="EventStatus.Pending"/> events, as <see cref="AppendAsync"/> does for each, in order. A
    /// store may add them in one operation; the default calls <see cref="AppendAsync"/> for each.
    /// </summary>
    /// <param name="records">The events to add.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The id stored for each record, in the order given (see <see cref="AppendAsync"/>).</returns>
    async ValueTask<IReadOnlyList<Guid>> AppendManyAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var ids = new Guid[records.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = await AppendAsync(records[i], cancellationToken).ConfigureAwait(false);
        }

        return ids;
    }

    /// <summary>
    /// Atomically leases up to <paramref name="maxCount"/> runnable events of types neither paused (<see cref="PauseAsync"/>) nor in <paramref name="excludedTypes"/>, and up to <paramref name="maxPayloadBytes"/>
    /// of payload, to <paramref name="owner"/>: events that are
    /// <see cref="EventStatus.Pending"/> or <see cref="EventStatus.Failed"/> with <see cref="EventRecord.AvailableAt"/>
    /// at or before <paramref name="now"/>, and <see cref="EventStatus.Processing"/> events whose lease expired, oldest
    /// <see cref="EventRecord.AvailableAt"/> first (then by id). Each claimed event becomes <see cref="EventStatus.Processing"/>
    /// with its attempt count incremented, and both <see cref="EventRecord.LockedUntil"/> and
    /// <see cref="EventRecord.AvailableAt"/> set to the lease expiry (so one index on availability serves new, retried
    /// and abandoned events alike).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Events are taken in that order for as long as the payloads taken, the next one included, total at most
    /// <paramref name="maxPayloadBytes"/> (UTF-8 bytes of <see cref="EventRecord.Payload"/>). The first runnable event is
    /// always taken, so an event larger than the budget still runs, alone; the claim stops at the first event that does
    /// not fit rather than skipping ahead, so events still start in due order. One claim therefore loads at most
    /// <paramref name="maxPayloadBytes"/> of payload, or one event.
    /// </para>
    /// <para>
    /// The lease lasts <paramref name="leaseDuration"/> from the claim, measured by the store's lease clock. A store
    /// with a clock of its own (a database server) grants and expires leases by that clock alone, so a caller whose
    /// clock is wrong can neither take over a live lease nor let its own lapse early. A store that measures leases by
    /// its callers' clocks starts the lease at <paramref name="now"/>, and must tolerate a skew between callers of up to
    /// the lease duration: a lease becomes claimable only once it has been expired for a further
    /// <paramref name="leaseDuration"/> by the claimer's clock.
    /// </para>
    /// <para>
    /// Either way the lease lasts at least until <paramref name="now"/> plus <paramref name="leaseDuration"/> by the
    /// caller's own clock, so a caller that reads its clock just before the call may count on that.
    /// </para>
    /// </remarks>
    /// <param name="owner">The claiming processor's id.</param>
    /// <param name="maxCount">The largest number of events to claim.</param>
    /// <param name="maxPayloadBytes">The most payload the claim loads, in UTF-8 bytes (at least one event is claimed whatever its size).</param>
    /// <param name="now">
    /// The caller's current UTC time. Due times (<see cref="EventRecord.AvailableAt"/> of pending and failed events,
    /// which publishers and processors compute by their own clocks) are compared with it.
    /// </param>
    /// <param name="leaseDuration">How long the leases last unless renewed.</param>
    /// <param name="excludedTypes">
    /// Event types this claim passes over, as it passes over paused ones: their events stay as they are, in line for a
    /// later claim, and the claim goes on with the events behind them. The processor excludes the types of a handler
    /// that already has as many events waiting at its <see cref="EventHandlerOptions.MaxConcurrency"/> as it will hold.
    /// <see langword="null"/> or empty: none.
    /// </param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>
    /// The claimed events in the order they were due (their <see cref="EventRecord.AvailableAt"/> before the claim, then
    /// id), with the names of the handlers that already succeeded for each and the lease expiry the store granted
    /// (<see cref="EventRecord.LockedUntil"/>, by its lease clock). The processor starts them in this order.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is blank, or <paramref name="excludedTypes"/> contains <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maxCount"/> or <paramref name="maxPayloadBytes"/> is less than 1, or <paramref name="leaseDuration"/> is not positive.
    /// </exception>
    ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, IReadOnlyCollection<string>? excludedTypes = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Extends the leases <paramref name="owner"/> still holds on <paramref name="eventIds"/> to
    /// <paramref name="leaseDuration"/> from now by the store's lease clock (see <see cref="ClaimAsync"/>), setting
    /// <see cref="EventRecord.LockedUntil"/> and <see cref="EventRecord.AvailableAt"/>.
    /// </summary>
    /// <param name="eventIds">The events to renew.</param>
    /// <param name="owner">The processor's id.</param>
    /// <param name="now">The caller's current UTC time; a store that measures leases by its callers' clocks starts the renewed lease at it.</param>
    /// <param name="leaseDuration">How long the renewed leases last.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>
    /// The ids whose leases were renewed. An id missing from it is no longer leased to <paramref name="owner"/>
    /// (its lease expired and another owner claimed it, or it was settled): the processor cancels what it still runs for it.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="leaseDuration"/> is not positive.</exception>
    ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="outcomes"/>: stores every log entry, and changes the status of each event that
    /// <paramref name="owner"/> still leases (clearing the lease). Events leased by someone else keep their state.
    /// </summary>
    /// <param name="outcomes">The outcomes to apply.</param>
    /// <param name="owner">The processor's id.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The number of events whose status changed.</returns>
    ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default);

    /// <summary>Gets counts per status and the average processing time of completed events.</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The metrics.</returns>
    ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets how many events wait, since when the oldest runnable one has been due, and how many are dead-lettered; must
    /// be cheap (index-supported counts), because the health check and the backlog gauges read it often.
    /// </summary>
    /// <param name="now">The current UTC time.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The backlog.</returns>
    ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Counts events per type with <see cref="EventRecord.CreatedAt"/> in [<paramref name="since"/>, <paramref name="until"/>].</summary>
    /// <param name="since">Inclusive start (UTC).</param>
    /// <param name="until">Inclusive end (UTC).</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One entry per type with at least one event, ordered by type name.</returns>
    ValueTask<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Lists dead-lettered events, most recent first.</summary>
    /// <param name="type">Only events of this type, or <see langword="null"/> for all.</param>
    /// <param name="limit">The largest number of events to return.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The dead letters, with <see cref="EventRecord.LastError"/> giving the reason.</returns>
    ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves up to <paramref name="batchSize"/> <see cref="EventStatus.Failed"/> and <see cref="EventStatus.DeadLetter"/>
    /// events back to <see cref="EventStatus.Pending"/>, available at <paramref name="now"/>, in one atomic step, and adds
    /// an operator entry (<see cref="EventLogKind.Requeue"/>) to the log of each. The attempt count is kept (the log's
    /// numbers go on) and <see cref="EventRecord.UncountedAttempts"/> is set to it (a fresh budget); handlers that
    /// already succeeded are still not run again. Events are taken oldest created first (strictly after
    /// <paramref name="after"/> when given: a bulk requeue continues after its previous batch, so an event that batch
    /// requeued and a processor failed again is not taken twice); one that changed status concurrently (claimed
    /// meanwhile) is skipped.
    /// </summary>
    /// <param name="eventId">One event to requeue, or <see langword="null"/> for those matching <paramref name="filter"/>.</param>
    /// <param name="filter">The events to consider (its <see cref="EventFilter.Status"/> is <see langword="null"/>, failed or dead letter).</param>
    /// <param name="after">Where the previous batch of the same bulk requeue ended (<see cref="EventBatchResult.Last"/>), or <see langword="null"/>.</param>
    /// <param name="batchSize">The largest number of events to requeue in this call.</param>
    /// <param name="actor">Who requeues them.</param>
    /// <param name="reason">Why.</param>
    /// <param name="now">The current UTC time.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>
    /// How many events were requeued and the last of them; a bulk requeue repeats after it while the count is not zero
    /// and the newest event that matched at its start is not reached (a row another transaction changed after the
    /// batch chose it is skipped, so a short batch need not be the last).
    /// </returns>
    ValueTask<EventBatchResult> RequeueAsync(Guid? eventId, EventFilter filter, EventPosition? after, int batchSize, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes one handler (or every handler) of a <see cref="EventStatus.Completed"/> event run again: the event becomes
    /// <see cref="EventStatus.Pending"/>, available at <paramref name="now"/>, with a fresh budget as for a requeue, and an
    /// operator entry (<see cref="EventLogKind.Replay"/>, its <see cref="EventLogEntry.Attempt"/> the event's attempts)
    /// is added to its log. A handler success logged at or before that attempt no longer counts as succeeded for a
    /// replayed handler.
    /// </summary>
    /// <param name="eventId">The event.</param>
    /// <param name="handler">The handler name, or <see cref="EventLogEntry.AllHandlers"/> for every handler.</param>
    /// <param name="actor">Who replays it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="now">The current UTC time.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the event was completed and is now pending.</returns>
    ValueTask<bool> ReplayAsync(Guid eventId, string handler, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a <see cref="EventStatus.Pending"/> or <see cref="EventStatus.Failed"/> event (not one being processed):
    /// it becomes <see cref="EventStatus.Cancelled"/> with <see cref="EventRecord.ProcessedAt"/> <paramref name="now"/>,
    /// and an operator entry (<see cref="EventLogKind.Cancel"/>) is added to its log, in one atomic step.
    /// </summary>
    /// <param name="eventId">The event.</param>
    /// <param name="actor">Who cancels it.</param>
    /// <param name="reason">Why.</param>
    /// <param name="now">The current UTC time.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the event was pending or failed and is now cancelled.</returns>
    ValueTask<bool> CancelAsync(Guid eventId, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> events matching <paramref name="filter"/> at or before
    /// <paramref name="through"/>, with their logs, oldest created first. Events being processed
    /// (<see cref="EventStatus.Processing"/>) are never deleted.
    /// </summary>
    /// <param name="filter">The events to delete.</param>
    /// <param name="through">
    /// The last event that may be deleted, in the order of <see cref="GetEventsAsync"/> (creation time, then id): a bulk
    /// purge passes the newest event that matched when it started, so events created after that one (arriving while
    /// it runs) are kept and the purge ends however fast matching events arrive.
    /// </param>
    /// <param name="batchSize">The largest number of events to delete in this call.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>
    /// The number of events deleted; a bulk purge repeats while it is not zero (a row another transaction changed after
    /// the batch chose it is kept, so a short batch need not be the last).
    /// </returns>
    ValueTask<int> PurgeAsync(EventFilter filter, EventPosition through, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that an event type is paused: from then on no claim takes its events (of any status) until
    /// <see cref="ResumeAsync"/>.
    /// </summary>
    /// <param name="pause">The pause.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the type was not paused before (an existing pause is kept as it was).</returns>
    ValueTask<bool> PauseAsync(EventTypePause pause, CancellationToken cancellationToken = default);

    /// <summary>Removes the pause of an event type.</summary>
    /// <param name="type">The event type.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns><see langword="true"/> if the type was paused.</returns>
    ValueTask<bool> ResumeAsync(string type, CancellationToken cancellationToken = default);

    /// <summary>Lists the paused event types, ordered by type name (ordinal).</summary>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The pauses.</returns>
    ValueTask<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists up to <paramref name="limit"/> events matching <paramref name="filter"/> in <paramref name="order"/> (by
    /// <see cref="EventRecord.CreatedAt"/>, then <see cref="EventRecord.Id"/> as <see cref="EventPosition.Id"/> describes),
    /// strictly after <paramref name="after"/> when given (keyset paging: no offset).
    /// </summary>
    /// <param name="filter">The events to list.</param>
    /// <param name="order">Newest or oldest first.</param>
    /// <param name="after">Where the previous page ended, or <see langword="null"/> for the first page.</param>
    /// <param name="limit">The largest number of events to return.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The events, in order.</returns>
    ValueTask<IReadOnlyList<EventRecord>> GetEventsAsync(EventFilter filter, EventOrder order, EventPosition? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts, per bucket of <paramref name="interval"/> in [<paramref name="since"/>, <paramref name="before"/>), the events
    /// created, completed, dead-lettered and cancelled, and the attempts that failed (see <see cref="EventTimelineBucket"/>),
    /// computed by the store (a database groups the rows itself).
    /// </summary>
    /// <param name="since">The inclusive UTC start, aligned to <paramref name="interval"/>.</param>
    /// <param name="before">The exclusive UTC end, aligned to <paramref name="interval"/>.</param>
    /// <param name="interval">The bucket width.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The buckets where something happened, in time order (empty buckets may be left out).</returns>
    ValueTask<IReadOnlyList<EventTimelineBucket>> GetTimelineAsync(DateTimeOffset since, DateTimeOffset before, EventTimelineInterval interval, CancellationToken cancellationToken = default);

    /// <summary>Computes <see cref="EventTypeStatistics"/> per type over the events created in [<paramref name="since"/>, <paramref name="before"/>).</summary>
    /// <param name="since">The inclusive UTC start.</param>
    /// <param name="before">The exclusive UTC end.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One entry per type with at least one event, ordered by type name (ordinal).</returns>
    ValueTask<IReadOnlyList<EventTypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>Computes <see cref="HandlerStatistics"/> per handler over the handler runs logged in [<paramref name="since"/>, <paramref name="before"/>).</summary>
    /// <param name="since">The inclusive UTC start.</param>
    /// <param name="before">The exclusive UTC end.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>One entry per handler with at least one run, ordered by handler name (ordinal).</returns>
    ValueTask<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a processor's heartbeat (inserting or replacing its row) and deletes the rows of processors last seen
    /// before <paramref name="goneBefore"/>.
    /// </summary>
    /// <param name="processor">The heartbeat.</param>
    /// <param name="goneBefore">The UTC time before which a processor's last heartbeat means it is gone.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the heartbeat is stored.</returns>
    ValueTask RecordProcessorAsync(EventProcessorInfo processor, DateTimeOffset goneBefore, CancellationToken cancellationToken = default);

    /// <summary>Deletes a processor's heartbeat row (the processor stopped).</summary>
    /// <param name="processorId">The processor's id.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>A task that completes when the row is deleted.</returns>
    ValueTask RemoveProcessorAsync(string processorId, CancellationToken cancellationToken = default);

    /// <summary>Lists the processors last seen at or after <paramref name="seenSince"/>, ordered by id (ordinal).</summary>
    /// <param name="seenSince">The UTC time.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>Their heartbeats.</returns>
    ValueTask<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(DateTimeOffset seenSince, CancellationToken cancellationToken = default);

    /// <summary>Gets one event with its handler log.</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The event and its log, or <see langword="null"/> if no such event exists.</returns>
    ValueTask<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> events in <paramref name="status"/> (a terminal status) whose
    /// <see cref="EventRecord.ProcessedAt"/> is before <paramref name="processedBefore"/>, with their log entries.
    /// Only events that still qualify when they are deleted go: one changed concurrently (a dead letter requeued while
    /// the cleanup runs) is kept.
    /// </summary>
    /// <param name="status"><see cref="EventStatus.Completed"/>, <see cref="EventStatus.Cancelled"/> or <see cref="EventStatus.DeadLetter"/>.</param>
    /// <param name="processedBefore">The exclusive UTC cut-off.</param>
    /// <param name="batchSize">The largest number of events to delete in this call.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The number of events deleted; callers repeat while it equals <paramref name="batchSize"/>.</returns>
    ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default);
}
