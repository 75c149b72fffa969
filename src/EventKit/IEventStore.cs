namespace EventKit;

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
    /// Atomically leases up to <paramref name="maxCount"/> runnable events, and up to <paramref name="maxPayloadBytes"/>
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
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>
    /// The claimed events in the order they were due (their <see cref="EventRecord.AvailableAt"/> before the claim, then
    /// id), with the names of the handlers that already succeeded for each and the lease expiry the store granted
    /// (<see cref="EventRecord.LockedUntil"/>, by its lease clock). The processor starts them in this order.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maxCount"/> or <paramref name="maxPayloadBytes"/> is less than 1, or <paramref name="leaseDuration"/> is not positive.
    /// </exception>
    ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default);

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
    ValueTask<IReadOnlyList<EventTypeCount>> CountByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>Lists dead-lettered events, most recent first.</summary>
    /// <param name="type">Only events of this type, or <see langword="null"/> for all.</param>
    /// <param name="limit">The largest number of events to return.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The dead letters, with <see cref="EventRecord.LastError"/> giving the reason.</returns>
    ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves dead-lettered events back to <see cref="EventStatus.Pending"/> with zero attempts, available at
    /// <paramref name="now"/>. Handlers that already succeeded for an event are still not run again.
    /// </summary>
    /// <param name="eventId">One event to requeue, or <see langword="null"/> for all that match <paramref name="type"/>.</param>
    /// <param name="type">With a <see langword="null"/> <paramref name="eventId"/>: the type to requeue, or <see langword="null"/> for every dead letter.</param>
    /// <param name="now">The current UTC time.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The number of events requeued.</returns>
    ValueTask<int> RequeueAsync(Guid? eventId, string? type, DateTimeOffset now, CancellationToken cancellationToken = default);

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
    /// <param name="status"><see cref="EventStatus.Completed"/> or <see cref="EventStatus.DeadLetter"/>.</param>
    /// <param name="processedBefore">The exclusive UTC cut-off.</param>
    /// <param name="batchSize">The largest number of events to delete in this call.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The number of events deleted; callers repeat while it equals <paramref name="batchSize"/>.</returns>
    ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default);
}
