using EventKit.Internal.Processing;
using EventKit.Internal.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

/// <summary>The operations API (<see cref="IEventOperations"/>): its queries here, the actions that change events in EventOperations.Actions.cs.</summary>
internal sealed partial class EventOperations(
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

    private async Task<T> RunAsync<T>(Func<IEventStore, CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await operation(scope.ServiceProvider.GetRequiredService<IEventStore>(), cancellationToken).ConfigureAwait(false);
        }
    }
}
