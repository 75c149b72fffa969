using EventKit.Internal.Operations;
using EventKit.Internal.Processing;

namespace EventKit.Internal;

/// <summary>The operator's actions: requeue, replay, cancel, purge, pause and resume, each validated, recorded and announced.</summary>
internal sealed partial class EventOperations
{
    public async Task<bool> RequeueAsync(Guid eventId, string actor, string reason, CancellationToken cancellationToken = default)
    {
        ValidateOperator(actor, reason);
        var now = time.GetUtcNow();
        var count = (await RunAsync((store, ct) => store.RequeueAsync(eventId, new EventFilter(), null, 1, actor, reason, now, ct), cancellationToken).ConfigureAwait(false)).Count;
        if (count > 0)
        {
            Log.Requeued(_logger, actor, count);
            Log.OperatorActionDetails(_logger, "requeue", actor, eventId.ToString(), reason);
            signal.Notify(now);
        }

        return count > 0;
    }

    public async Task<int> RequeueMatchingAsync(EventFilter filter, string actor, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var valid = EventFilterRules.Validate(filter, nameof(filter));
        if (valid.Status is { } status && status is not (EventStatus.Failed or EventStatus.DeadLetter))
        {
            throw new ArgumentException($"Only failed and dead-lettered events can be requeued; EventFilter.Status is {status}. Allowed values: Failed, DeadLetter, or null for both.", nameof(filter));
        }

        ValidateOperator(actor, reason);
        var now = time.GetUtcNow();

        // Each batch continues after the previous one: an event requeued here that a processor fails again meanwhile
        // is not taken again (nor counted twice) by this call. The newest event matching now ends it: once a batch
        // reaches it, events that arrived meanwhile (after it in that order) are left, so the call ends however fast
        // matching events keep arriving (the last batch may take up to a batch of them). A short batch does not end it
        // before then: rows another transaction changed after the batch chose them (skipped when their lock came free)
        // leave it short while matching events remain after them.
        if (await NewestMatchingAsync(valid, cancellationToken).ConfigureAwait(false) is not { } through)
        {
            Report(0);
            return 0;
        }

        EventPosition? after = null;
        return await RunBatchesAsync(
            async (store, batchSize, ct) =>
            {
                var batch = await store.RequeueAsync(null, valid, after, batchSize, actor, reason, now, ct).ConfigureAwait(false);
                after = batch.Last ?? after;
                return batch.Count;
            },
            Report,
            cancellationToken,
            more: done => done > 0 && after is not null && after.CompareTo(through) < 0).ConfigureAwait(false);

        void Report(int total)
        {
            if (total > 0)
            {
                Log.Requeued(_logger, actor, total);
                signal.Notify(now);
            }

            Log.OperatorActionDetails(_logger, "requeue", actor, valid.ToString(), reason);
        }
    }

    public async Task<bool> ReplayAsync(Guid eventId, string? handler, string actor, string reason, CancellationToken cancellationToken = default)
    {
        if (handler is not null && (string.IsNullOrWhiteSpace(handler) || handler.Length > EventValidation.MaxHandlerNameLength || handler == EventLogEntry.AllHandlers || !EventValidation.IsStorableText(handler)))
        {
            throw new ArgumentException($"The handler must be null (every handler) or a handler name: non-blank, at most {EventValidation.MaxHandlerNameLength} characters, {EventValidation.StorableTextRule}; it was '{EventValidation.Shorten(handler)}'.", nameof(handler));
        }

        ValidateOperator(actor, reason);
        var now = time.GetUtcNow();
        var replayed = await RunAsync(
            async (store, ct) =>
            {
                if (handler is not null && await store.GetEventAsync(eventId, ct).ConfigureAwait(false) is { } details)
                {
                    var names = registry.GetHandlers(details.Event.Type).Select(h => h.Name).ToList();
                    if (names.Count > 0 && !names.Contains(handler, StringComparer.Ordinal))
                    {
                        throw new ArgumentException($"'{EventValidation.Shorten(handler)}' is not a handler of event type '{details.Event.Type}'. Allowed values: {string.Join(", ", names)}, or null for every handler.", nameof(handler));
                    }
                }

                return await store.ReplayAsync(eventId, handler ?? EventLogEntry.AllHandlers, actor, reason, now, ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        if (replayed)
        {
            Log.Replayed(_logger, actor, eventId, handler ?? EventLogEntry.AllHandlers);
            Log.OperatorActionDetails(_logger, "replay", actor, eventId.ToString(), reason);
            signal.Notify(now);
        }

        return replayed;
    }

    public async Task<bool> CancelAsync(Guid eventId, string actor, string reason, CancellationToken cancellationToken = default)
    {
        ValidateOperator(actor, reason);
        var now = time.GetUtcNow();
        var cancelled = await RunAsync((store, ct) => store.CancelAsync(eventId, actor, reason, now, ct), cancellationToken).ConfigureAwait(false);
        if (cancelled)
        {
            Log.Cancelled(_logger, actor, eventId);
            Log.OperatorActionDetails(_logger, "cancel", actor, eventId.ToString(), reason);

            // It may have held back the later events of its entity (ordering per entity): they are runnable now.
            signal.Notify(now);
        }

        return cancelled;
    }

    public async Task<int> PurgeAsync(EventFilter filter, string actor, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var valid = EventFilterRules.Validate(filter, nameof(filter));
        if (valid.IsEmpty())
        {
            throw new ArgumentException("The filter selects every event; purging everything is refused. Set at least one of Status, Type, Entity, CreatedFrom, CreatedBefore.", nameof(filter));
        }

        if (valid.Status == EventStatus.Processing)
        {
            throw new ArgumentException("Events being processed cannot be purged. Allowed values of EventFilter.Status: Pending, Completed, Failed, DeadLetter, Cancelled, or null.", nameof(filter));
        }

        ValidateOperator(actor, reason);

        // The newest event matching now bounds the purge: events that arrive (or start to match) later sort after it and
        // are kept, so the purge ends however fast matching events keep arriving.
        if (await NewestMatchingAsync(valid, cancellationToken).ConfigureAwait(false) is not { } through)
        {
            Report(0);
            return 0;
        }

        // A short batch does not end it: rows claimed or requeued after the batch chose them (kept when their lock came
        // free) leave it short while matching events remain; one that deletes nothing does (the bound keeps that finite).
        return await RunBatchesAsync((store, batchSize, ct) => store.PurgeAsync(valid, through, batchSize, ct), Report, cancellationToken, more: done => done > 0).ConfigureAwait(false);

        // The purged events' own logs go with them, so this log line is the purge's only trace.
        void Report(int total)
        {
            if (total > 0)
            {
                // A purged event may have held back the later events of its entity (ordering per entity).
                signal.Notify(time.GetUtcNow());
            }

            Log.Purged(_logger, actor, total);
            Log.OperatorActionDetails(_logger, "purge", actor, valid.ToString(), reason);
        }
    }

    public async Task<bool> PauseAsync(string type, string actor, string reason, CancellationToken cancellationToken = default)
    {
        EventValidation.ValidateType(type, nameof(type));
        ValidateOperator(actor, reason);
        var pause = new EventTypePause { Type = type, Actor = actor, Reason = reason, PausedAt = time.GetUtcNow() };

        // Before the store has it: no event of the type is handed off in this process from now on (the next heartbeat
        // corrects this if the pause fails).
        handOff.Pause(type);
        bool paused;
        try
        {
            paused = await RunAsync((store, ct) => store.PauseAsync(pause, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A heartbeat's read of the pauses that began before the store had this one does not undo it.
            handOff.ChangeWritten();
        }

        if (paused)
        {
            Log.Paused(_logger, actor, type);
            Log.OperatorActionDetails(_logger, "pause", actor, type, reason);
        }

        return paused;
    }

    public async Task<bool> ResumeAsync(string type, string actor, CancellationToken cancellationToken = default)
    {
        EventValidation.ValidateType(type, nameof(type));
        EventValidation.ValidateText(actor, EventValidation.MaxOptionLength, nameof(actor));
        var resumed = await RunAsync((store, ct) => store.ResumeAsync(type, ct), cancellationToken).ConfigureAwait(false);
        handOff.Resume(type);
        if (resumed)
        {
            Log.Resumed(_logger, actor, type);
            signal.Notify(time.GetUtcNow());
        }

        return resumed;
    }

    /// <summary>Where the newest event matching <paramref name="filter"/> now stands (creation time, id), or <see langword="null"/> when none does.</summary>
    private async Task<EventPosition?> NewestMatchingAsync(EventFilter filter, CancellationToken cancellationToken)
    {
        var newest = await RunAsync((store, ct) => store.GetEventsAsync(filter, EventOrder.NewestFirst, null, 1, ct), cancellationToken).ConfigureAwait(false);
        return newest.Count == 0 ? null : new EventPosition(newest[0].CreatedAt, newest[0].Id);
    }

    /// <summary>
    /// Runs <paramref name="batch"/> (a scope and an atomic store call of its own, given the batch size
    /// <see cref="EventKitOptions.CleanupBatchSize"/>) while each changes that many (or while <paramref name="more"/>
    /// says so), and returns how many all changed. <paramref name="report"/> gets that total once the last batch is done, or, when a batch throws (the store
    /// failed, the token was cancelled) after earlier ones changed something, before the exception goes on: a call that
    /// stops midway still logs and announces what it changed; a retried call does the rest.
    /// </summary>
    /// <param name="batch">One batch: changes up to the batch size given and returns how many it changed.</param>
    /// <param name="report">Logs and announces the total.</param>
    /// <param name="cancellationToken">Stops between batches (and cancels the one running).</param>
    /// <param name="more">
    /// Given how many the batch just run changed, whether another follows; default: when it changed the batch size.
    /// </param>
    private async Task<int> RunBatchesAsync(Func<IEventStore, int, CancellationToken, ValueTask<int>> batch, Action<int> report, CancellationToken cancellationToken, Func<int, bool>? more = null)
    {
        var batchSize = options.Value.CleanupBatchSize;
        var total = 0;
        var finished = false;
        try
        {
            int done;
            do
            {
                done = await RunAsync((store, ct) => batch(store, batchSize, ct), cancellationToken).ConfigureAwait(false);
                total += done;
            }
            while (more?.Invoke(done) ?? done >= batchSize);

            finished = true;
        }
        finally
        {
            if (finished || total > 0)
            {
                report(total);
            }
        }

        return total;
    }
}
