namespace EventKit.InMemory;

/// <summary>The in-memory store's queries: metrics, backlog, listings, timeline and statistics (scans under the lock).</summary>
internal sealed partial class InMemoryEventStore
{
    public ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var completed = _statusCounts[(int)EventStatus.Completed];
            return ValueTask.FromResult(new EventMetrics
            {
                Pending = _statusCounts[(int)EventStatus.Pending],
                Processing = _statusCounts[(int)EventStatus.Processing],
                Completed = completed,
                Failed = _statusCounts[(int)EventStatus.Failed],
                DeadLetters = _statusCounts[(int)EventStatus.DeadLetter],
                Cancelled = _statusCounts[(int)EventStatus.Cancelled],
                AverageProcessingTime = completed == 0 ? null : TimeSpan.FromTicks(_completedDurationTicks / completed),
            });
        }
    }

    public ValueTask<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // The queue heads are the oldest; stale heads (superseded versions) are dropped on the way.
            while (_runnable.TryPeek(out var item, out _) && item.Entry.Version != item.Version)
            {
                _runnable.Dequeue();
            }

            DateTimeOffset? oldest = _runnable.TryPeek(out var head, out var key) && key.Ticks <= now.UtcTicks ? head.Entry.AvailableAt : null;

            // Events set aside by claims that excluded their type still wait: each list is in due order.
            foreach (var aside in _excludedRunnable.Values)
            {
                foreach (var (item, _) in aside)
                {
                    if (item.Entry.Version == item.Version)
                    {
                        if (item.Entry.AvailableAt.UtcTicks <= now.UtcTicks && (oldest is null || item.Entry.AvailableAt < oldest))
                        {
                            oldest = item.Entry.AvailableAt;
                        }

                        break;
                    }
                }
            }

            if (_leases.TryPeek(out var lease, out var until) && until <= now.UtcTicks
                && lease.Entry.Version == lease.Version && lease.Entry.Status == EventStatus.Processing
                && (oldest is null || lease.Entry.AvailableAt < oldest))
            {
                oldest = lease.Entry.AvailableAt;
            }

            return ValueTask.FromResult(new EventBacklog
            {
                Waiting = _statusCounts[(int)EventStatus.Pending] + _statusCounts[(int)EventStatus.Failed],
                OldestRunnableAt = oldest,
                DeadLetters = _statusCounts[(int)EventStatus.DeadLetter],
            });
        }
    }

    public ValueTask<IReadOnlyList<EventTypeCount>> GetCountsByTypeAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var entry in _events.Values)
            {
                if (entry.CreatedAt >= since && entry.CreatedAt <= until)
                {
                    counts[entry.Type] = counts.GetValueOrDefault(entry.Type) + 1;
                }
            }
        }

        IReadOnlyList<EventTypeCount> result = [.. counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new EventTypeCount(p.Key, p.Value))];
        return ValueTask.FromResult(result);
    }

    public ValueTask<IReadOnlyList<EventRecord>> GetDeadLettersAsync(string? type, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<EventRecord> result = [.. _events.Values
                .Where(e => e.Status == EventStatus.DeadLetter && (type is null || e.Type == type))
                .OrderByDescending(e => e.ProcessedAt)
                .ThenByDescending(e => e.Sequence)
                .Take(limit)
                .Select(e => e.ToRecord())];
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_events.TryGetValue(eventId, out var entry)
                ? new EventDetails(entry.ToRecord(), [.. entry.Logs.OrderBy(l => l.CreatedAt).ThenBy(l => l.Id)])
                : null);
        }
    }

    public ValueTask<IReadOnlyList<EventRecord>> GetEventsAsync(EventFilter filter, EventOrder order, EventPosition? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var newest = order == EventOrder.NewestFirst;
            IReadOnlyList<EventRecord> result = [.. Ordered(Select(filter), newest)
                .Where(e => after is null || (newest ? Compare(e, after) < 0 : Compare(e, after) > 0))
                .Take(limit)
                .Select(e => e.ToRecord())];
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<IReadOnlyList<EventTimelineBucket>> GetTimelineAsync(DateTimeOffset since, DateTimeOffset before, EventTimelineInterval interval, CancellationToken cancellationToken = default)
    {
        var width = interval switch
        {
            EventTimelineInterval.Minute => TimeSpan.TicksPerMinute,
            EventTimelineInterval.Hour => TimeSpan.TicksPerHour,
            _ => TimeSpan.TicksPerDay,
        };
        var counts = new SortedDictionary<long, long[]>();
        void Count(DateTimeOffset at, int kind)
        {
            if (at >= since && at < before)
            {
                var bucket = since.UtcTicks + ((at.UtcTicks - since.UtcTicks) / width * width);
                if (!counts.TryGetValue(bucket, out var row))
                {
                    counts[bucket] = row = new long[5];
                }

                row[kind]++;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (var entry in _events.Values)
            {
                Count(entry.CreatedAt, 0);
                if (entry.ProcessedAt is { } processed)
                {
                    switch (entry.Status)
                    {
                        case EventStatus.Completed:
                            Count(processed, 1);
                            break;
                        case EventStatus.DeadLetter:
                            Count(processed, 3);
                            break;
                        case EventStatus.Cancelled:
                            Count(processed, 4);
                            break;
                    }
                }

                // A failed attempt: the earliest failed run of each attempt number.
                foreach (var failed in entry.Logs.Where(l => l.Kind == EventLogKind.HandlerRun && l.Result == EventLogResult.Failure && l.CreatedAt >= since && l.CreatedAt < before).GroupBy(l => l.Attempt))
                {
                    Count(failed.Min(l => l.CreatedAt), 2);
                }
            }
        }

        IReadOnlyList<EventTimelineBucket> result = [.. counts.Select(c => new EventTimelineBucket
        {
            Start = new DateTimeOffset(c.Key, TimeSpan.Zero),
            Created = c.Value[0],
            Completed = c.Value[1],
            Failed = c.Value[2],
            DeadLettered = c.Value[3],
            Cancelled = c.Value[4],
        })];
        return ValueTask.FromResult(result);
    }

    public ValueTask<IReadOnlyList<EventTypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<EventTypeStatistics> result = [.. _events.Values
                .Where(e => e.CreatedAt >= since && e.CreatedAt < before)
                .GroupBy(e => e.Type)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g =>
                {
                    // Whole milliseconds, as the databases compute them.
                    var times = g.Where(e => e.Status == EventStatus.Completed)
                        .Select(e => (long)Math.Round((e.ProcessedAt!.Value - e.CreatedAt).TotalMilliseconds)).Order().ToArray();
                    return new EventTypeStatistics
                    {
                        Type = g.Key,
                        Count = g.LongCount(),
                        Completed = times.Length,
                        Failed = g.LongCount(e => e.Logs.Any(l => l.Kind == EventLogKind.HandlerRun && l.Result == EventLogResult.Failure)),
                        AverageProcessingTime = times.Length == 0 ? null : TimeSpan.FromMilliseconds(Math.Round(times.Average())),
                        P95ProcessingTime = times.Length == 0 ? null : TimeSpan.FromMilliseconds(times[(int)Math.Ceiling(times.Length * 0.95) - 1]),
                    };
                })];
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<IReadOnlyList<HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset since, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<HandlerStatistics> result = [.. _events.Values
                .SelectMany(e => e.Logs)
                .Where(l => l.Kind == EventLogKind.HandlerRun && l.CreatedAt >= since && l.CreatedAt < before)
                .GroupBy(l => l.Handler)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new HandlerStatistics
                {
                    Handler = g.Key,
                    Runs = g.LongCount(),
                    Failures = g.LongCount(l => l.Result == EventLogResult.Failure),
                    AverageDuration = TimeSpan.FromMilliseconds(Math.Round(g.Average(l => l.Duration.TotalMilliseconds))),
                })];
            return ValueTask.FromResult(result);
        }
    }

    private IEnumerable<Entry> Select(EventFilter filter) =>
        _events.Values.Where(e =>
            (filter.Status is not { } status || e.Status == status)
            && (filter.Type is null || e.Type == filter.Type)
            && (filter.Entity is null || e.Original.Entity == filter.Entity)
            && (filter.EntityId is null || e.Original.EntityId == filter.EntityId)
            && (filter.CreatedFrom is not { } since || e.CreatedAt >= since)
            && (filter.CreatedBefore is not { } before || e.CreatedAt < before));

    private static IEnumerable<Entry> Ordered(IEnumerable<Entry> entries, bool newest) =>
        newest
            ? entries.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id, DatabaseGuidComparer.Instance)
            : entries.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id, DatabaseGuidComparer.Instance);

    private static int Compare(Entry entry, EventPosition position) => EventPosition.Compare(entry.CreatedAt, entry.Id, position);

    /// <summary>Orders GUIDs as databases order UUIDs: by their bytes in big-endian order (the order of their text).</summary>
    private sealed class DatabaseGuidComparer : IComparer<Guid>
    {
        public static readonly DatabaseGuidComparer Instance = new();

        public int Compare(Guid x, Guid y) => EventPosition.CompareIds(x, y);
    }
}
