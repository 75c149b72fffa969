using EventKit.Internal.Processing;
using EventKit.Internal.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

internal sealed class EventOperations(
    IServiceScopeFactory scopes,
    EventSignal signal,
    TimeProvider time,
    IOptions<EventKitOptions> options,
    HandlerRegistry registry,
    EventCleaner cleaner,
    EventHandOff handOff,
    ILogger<EventOperations>? logger = null) : IEventOperations
{
    private const int MaxPageSize = 1000;
    private const int MaxBuckets = 10_000;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public Task<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) =>
        RunAsync((store, ct) => store.GetMetricsAsync(ct), cancellationToken);

    public Task<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        if (until < since)
        {
            throw new ArgumentOutOfRangeException(nameof(until), until, $"'until' must not be before 'since' ({since:O}).");
        }

        return RunAsync((store, ct) => store.GetCountsByTypeAsync(since.ToUniversalTime(), until.ToUniversalTime(), ct), cancellationToken);
    }

    public Task<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        if (type is not null && !EventValidation.IsValidTypeName(type))
        {
            throw new ArgumentException($"The type '{EventValidation.Shorten(type)}' is not a valid event type name: {EventValidation.TypeNameRule}; or null for any.", nameof(type));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        return RunAsync((store, ct) => store.GetDeadLettersAsync(type, limit, ct), cancellationToken);
    }

    public Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default) =>
        RunAsync((store, ct) => store.GetEventAsync(eventId, ct), cancellationToken);

    public async Task<EventPage> GetEventsAsync(EventFilter? filter = null, EventOrder order = EventOrder.NewestFirst, int pageSize = 100, string? continuationToken = null, CancellationToken cancellationToken = default)
    {
        var valid = EventFilterRules.Validate(filter, nameof(filter));
        if (!Enum.IsDefined(order))
        {
            throw new ArgumentException($"Order {(int)order} is not defined. Allowed values: NewestFirst, OldestFirst.", nameof(order));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        var after = continuationToken is null ? null : PageToken.Parse(continuationToken, valid, order, nameof(continuationToken));

        // One more than the page: whether it exists decides whether there is a next page, without a count.
        var events = await RunAsync((store, ct) => store.GetEventsAsync(valid, order, after, pageSize + 1, ct), cancellationToken).ConfigureAwait(false);
        if (events.Count <= pageSize)
        {
            return new EventPage(events, null);
        }

        var page = events.Take(pageSize).ToArray();
        var last = page[^1];
        return new EventPage(page, PageToken.Create(valid, order, new EventPosition(last.CreatedAt, last.Id)));
    }

    public async Task<IReadOnlyList<EventTimelineBucket>> GetTimelineAsync(DateTimeOffset since, DateTimeOffset before, EventTimelineInterval interval, CancellationToken cancellationToken = default)
    {
        var width = interval switch
        {
            EventTimelineInterval.Minute => TimeSpan.FromMinutes(1),
            EventTimelineInterval.Hour => TimeSpan.FromHours(1),
            EventTimelineInterval.Day => TimeSpan.FromDays(1),
            _ => throw new ArgumentException($"Interval {(int)interval} is not defined. Allowed values: Minute, Hour, Day.", nameof(interval)),
        };
        ValidateRange(since, before);
        var start = new DateTimeOffset(since.UtcTicks - (since.UtcTicks % width.Ticks), TimeSpan.Zero);
        var endTicks = before.UtcTicks + ((width.Ticks - (before.UtcTicks % width.Ticks)) % width.Ticks);
        var count = (endTicks - start.UtcTicks) / width.Ticks;
        if (count > MaxBuckets)
        {
            throw new ArgumentOutOfRangeException(nameof(before), before, $"The range from {since:O} to {before:O} has {count} buckets of one {interval}; at most {MaxBuckets} are allowed.");
        }

        // The last bucket of a range that reaches the end of time ends there.
        var end = endTicks > DateTimeOffset.MaxValue.UtcTicks ? DateTimeOffset.MaxValue : new DateTimeOffset(endTicks, TimeSpan.Zero);
        var found = await RunAsync((store, ct) => store.GetTimelineAsync(start, end, interval, ct), cancellationToken).ConfigureAwait(false);
        var byStart = found.ToDictionary(b => b.Start.UtcTicks);
        var buckets = new EventTimelineBucket[count];
        for (var i = 0; i < count; i++)
        {
            var at = start + (width * i);
            buckets[i] = byStart.TryGetValue(at.UtcTicks, out var bucket) ? bucket : new EventTimelineBucket { Start = at };
        }

        return buckets;
    }

    public Task<IReadOnlyList<EventTypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        ValidateRange(since, before);
        return RunAsync((store, ct) => store.GetTypeStatisticsAsync(since.ToUniversalTime(), before.ToUniversalTime(), ct), cancellationToken);
    }

    public Task<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        ValidateRange(since, before);
        return RunAsync((store, ct) => store.GetHandlerStatisticsAsync(since.ToUniversalTime(), before.ToUniversalTime(), ct), cancellationToken);
    }

    public async Task<TimeSpan?> GetOldestPendingAgeAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var backlog = await RunAsync((store, ct) => store.GetBacklogAsync(now, ct), cancellationToken).ConfigureAwait(false);
        return backlog.OldestRunnableAt is { } oldest ? now - oldest : null;
    }

    public Task<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(CancellationToken cancellationToken = default)
    {
        var seenSince = time.GetUtcNow() - (3 * options.Value.ProcessorHeartbeatInterval);
        return RunAsync((store, ct) => store.GetProcessorsAsync(seenSince, ct), cancellationToken);
    }

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
        // is not taken again (nor counted twice) by this call.
        var batchSize = options.Value.CleanupBatchSize;
        var total = 0;
        EventPosition? after = null;
        EventBatchResult batch;
        do
        {
            batch = await RunAsync((store, ct) => store.RequeueAsync(null, valid, after, batchSize, actor, reason, now, ct), cancellationToken).ConfigureAwait(false);
            total += batch.Count;
            after = batch.Last ?? after;
        }
        while (batch.Count >= batchSize);

        if (total > 0)
        {
            Log.Requeued(_logger, actor, total);
            signal.Notify(now);
        }

        Log.OperatorActionDetails(_logger, "requeue", actor, valid.ToString(), reason);
        return total;
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
        var total = await BatchesAsync((store, batch, ct) => store.PurgeAsync(valid, batch, ct), cancellationToken).ConfigureAwait(false);
        if (total > 0)
        {
            // A purged event may have held back the later events of its entity (ordering per entity).
            signal.Notify(time.GetUtcNow());
        }

        Log.Purged(_logger, actor, total);
        Log.OperatorActionDetails(_logger, "purge", actor, valid.ToString(), reason);
        return total;
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

    public Task<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken = default) =>
        RunAsync((store, ct) => store.GetPausesAsync(ct), cancellationToken);

    public Task<RetentionResult> RunRetentionAsync(CancellationToken cancellationToken = default) => cleaner.RunAsync(cancellationToken);

    private static void ValidateRange(DateTimeOffset since, DateTimeOffset before)
    {
        if (before <= since)
        {
            throw new ArgumentOutOfRangeException(nameof(before), before, $"'before' must be after 'since' ({since:O}).");
        }
    }

    private static void ValidateOperator(string actor, string reason)
    {
        EventValidation.ValidateText(actor, EventValidation.MaxOptionLength, nameof(actor));
        EventValidation.ValidateText(reason, EventLogEntry.MaxErrorLength, nameof(reason));
    }

    /// <summary>Repeats a bulk step, each batch in a scope of its own (an atomic store call), until a batch comes back short.</summary>
    private async Task<int> BatchesAsync(Func<IEventStore, int, CancellationToken, ValueTask<int>> step, CancellationToken cancellationToken)
    {
        var batchSize = options.Value.CleanupBatchSize;
        var total = 0;
        int done;
        do
        {
            done = await RunAsync((store, ct) => step(store, batchSize, ct), cancellationToken).ConfigureAwait(false);
            total += done;
        }
        while (done >= batchSize);

        return total;
    }

    private async Task<T> RunAsync<T>(Func<IEventStore, CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await operation(scope.ServiceProvider.GetRequiredService<IEventStore>(), cancellationToken).ConfigureAwait(false);
        }
    }
}
