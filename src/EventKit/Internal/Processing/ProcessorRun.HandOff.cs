namespace EventKit.Internal.Processing;

/// <summary>A run's side of hand-offs: reserving room for events committed in this process, and taking them in leased.</summary>
internal sealed partial class ProcessorRun
{
    private readonly Lock _deliveryGate = new();
    private bool _deliveriesClosed;

    /// <summary>
    /// Reserves room for the events of <paramref name="records"/> that may be handed off (<see cref="EventHandOff.Eligible"/>),
    /// as many as fit; <see langword="null"/> while stopping, while the store may hold a backlog, or without room.
    /// </summary>
    public HandOffReservation? TryReserve(IReadOnlyList<EventRecord> records, System.Collections.Frozen.FrozenSet<string> paused)
    {
        if (_stopping || !CaughtUp)
        {
            return null;
        }

        var now = Time.GetUtcNow();
        List<EventRecord>? eligible = null;
        var duePending = false;
        foreach (var record in records)
        {
            // An event type claims pass over (its handler holds all the parked events it may) is passed over here
            // too: such events go to the store pending, like paused ones, and wait there for the handler.
            var excluded = IsExcluded(record.Type);
            if (!excluded && EventHandOff.Eligible(record, now, paused))
            {
                (eligible ??= new List<EventRecord>(records.Count)).Add(record);
            }
            else
            {
                duePending |= record.AvailableAt <= now && !paused.Contains(record.Type) && !excluded;
            }
        }

        var (count, payload) = eligible is null ? (0, 0L) : Book.Reserve(eligible);
        if (duePending || count < (eligible?.Count ?? 0))
        {
            // Events due now go to the store pending: no more hand-offs until a claim has taken them, so an event
            // committed later never starts before them.
            CaughtUp = false;
        }

        if (count == 0)
        {
            return null;
        }

        if (count < eligible!.Count)
        {
            eligible.RemoveRange(count, eligible.Count - count);
        }

        return new HandOffReservation(this, eligible, payload);
    }

    /// <summary>
    /// A reservation's events were committed, leased to this run: they join the buffer as if claimed. When less than
    /// half the lease is left (the unit of work took that long to commit), they are released at once instead, without
    /// counting the attempt, so they run as pending events do rather than on a lease about to run out.
    /// </summary>
    public void Deliver(HandOffReservation reservation, long payload)
    {
        // Under the gate StopAsync closes before it completes the writer: a delivery either posts its releases to the
        // writer first, or finds it closed.
        lock (_deliveryGate)
        {
            if (_deliveriesClosed)
            {
                // The run stopped (its grace period over) before this unit of work committed: the rows are released
                // straight through the store, off the committing thread, so they are claimed at once, attempt uncounted.
                Book.Unreserve(reservation.Leased.Count, payload);
                var leased = reservation.Leased;
                _ = Task.Run(() => ReleaseAfterStopAsync(leased));
                return;
            }

            DeliverOpen(reservation, payload);
        }
    }

    /// <summary>Releases rows handed to this run after it stopped; when that fails they are left to their lease (warning 1039).</summary>
    private async Task ReleaseAfterStopAsync(IReadOnlyList<EventRecord> leased)
    {
        try
        {
            var now = Time.GetUtcNow();
            var outcomes = leased.Select(r => new EventOutcome { EventId = r.Id, Status = EventStatus.Pending, AvailableAt = now }).ToList();
            var store = new StoreScope(_processor.Scopes);
            await using (store.ConfigureAwait(false))
            {
                await store.Store.SettleAsync(outcomes, Owner, CancellationToken.None).ConfigureAwait(false);
            }

            _processor.Signal.Notify(now);
        }
        catch (Exception ex)
        {
            Log.HandOffAfterStop(_processor.Logger, _processor.Owner, leased.Count, ex);
        }
    }

    /// <summary>From now on deliveries are not taken (the writer is about to complete).</summary>
    private void CloseDeliveries()
    {
        lock (_deliveryGate)
        {
            _deliveriesClosed = true;
        }
    }

    private void DeliverOpen(HandOffReservation reservation, long payload)
    {
        var leaseUntil = reservation.LeaseUntil;
        var added = Book.Delivered(reservation.Leased.Count, payload, reservation.Leased.Select(r => new LeasedEvent(new ClaimedEvent(AsLeased(r, leaseUntil), []), leaseUntil)));
        if (added.Count == 0)
        {
            return;
        }

        var tooLate = leaseUntil - Time.GetUtcNow() < LeaseDuration / 2;
        foreach (var leased in added)
        {
            if (tooLate)
            {
                leased.WakeWhenReleased = true;
                Release(leased);
            }
            else if (!Buffer.Writer.TryWrite(leased))
            {
                Release(leased);
            }
        }

        Interlocked.Add(ref _claimed, added.Count);
        _renewer.Arm();
        Log.HandedOff(_processor.Logger, _processor.Owner, added.Count, tooLate);
    }

    /// <summary>Logs a delivery that failed (error 1037); its events are left to their lease.</summary>
    public void HandOffFailed(int count, Exception exception) => Log.HandOffFailed(_processor.Logger, _processor.Owner, count, exception);

    /// <summary>The event as the store wrote it for a hand-off: as a claim leaves it (processing, first attempt, leased).</summary>
    private EventRecord AsLeased(EventRecord record, DateTimeOffset leaseUntil) => new()
    {
        Id = record.Id,
        Type = record.Type,
        Entity = record.Entity,
        EntityId = record.EntityId,
        Payload = record.Payload,
        Status = EventStatus.Processing,
        Attempts = 1,
        AvailableAt = leaseUntil,
        CreatedAt = record.CreatedAt,
        LockedBy = Owner,
        LockedUntil = leaseUntil,
        Actor = record.Actor,
        CorrelationId = record.CorrelationId,
        IdempotencyKey = record.IdempotencyKey,
        TraceParent = record.TraceParent,
    };
}
