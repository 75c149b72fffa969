using EventKit.Internal;
using EventKit.Internal.Operations;

namespace EventKit.InMemory;

/// <summary>The in-memory store's queries, operator actions, pauses and processor heartbeats (scans under the lock).</summary>
internal sealed partial class InMemoryEventStore
{
    public ValueTask<IReadOnlyList<EventRecord>> GetEventsAsync(EventFilter filter, EventOrder order, EventPosition? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
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

    public ValueTask<int> RequeueAsync(Guid? eventId, EventFilter filter, int batchSize, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var count = 0;
        lock (_gate)
        {
            var candidates = eventId is { } id
                ? (_events.TryGetValue(id, out var one) && filter.Matches(one.ToRecord()) ? [one] : [])
                : Ordered(Select(filter), newest: false).ToList();
            foreach (var entry in candidates)
            {
                if (count >= batchSize)
                {
                    break;
                }

                if (entry.Status is not (EventStatus.Failed or EventStatus.DeadLetter))
                {
                    continue;
                }

                Reopen(entry, now);
                entry.AddLogs([OperatorEntry(entry, EventLogKind.Requeue, EventLogEntry.AllHandlers, actor, reason, now)]);
                count++;
            }
        }

        if (count > 0)
        {
            _signal?.Notify(now);
        }

        return ValueTask.FromResult(count);
    }

    public ValueTask<bool> ReplayAsync(Guid eventId, string handler, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_events.TryGetValue(eventId, out var entry) || entry.Status != EventStatus.Completed)
            {
                return ValueTask.FromResult(false);
            }

            _completedDurationTicks -= (entry.ProcessedAt!.Value - entry.CreatedAt).Ticks;
            Reopen(entry, now);
            entry.AddLogs([OperatorEntry(entry, EventLogKind.Replay, handler, actor, reason, now)]);
        }

        _signal?.Notify(now);
        return ValueTask.FromResult(true);
    }

    public ValueTask<bool> CancelAsync(Guid eventId, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_events.TryGetValue(eventId, out var entry) || entry.Status is not (EventStatus.Pending or EventStatus.Failed))
            {
                return ValueTask.FromResult(false);
            }

            Move(entry, EventStatus.Cancelled);
            entry.ProcessedAt = now;
            entry.Version++;
            _cancelled.Enqueue((entry, entry.Version), now.UtcTicks);
            entry.AddLogs([OperatorEntry(entry, EventLogKind.Cancel, EventLogEntry.AllHandlers, actor, reason, now)]);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<int> PurgeAsync(EventFilter filter, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        lock (_gate)
        {
            var batch = Ordered(Select(filter), newest: false).Where(e => e.Status != EventStatus.Processing).Take(batchSize).ToList();
            foreach (var entry in batch)
            {
                Remove(entry);
            }

            return ValueTask.FromResult(batch.Count);
        }
    }

    public ValueTask<bool> PauseAsync(EventTypePause pause, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pause);
        lock (_gate)
        {
            return ValueTask.FromResult(_pauses.TryAdd(pause.Type, pause));
        }
    }

    public ValueTask<bool> ResumeAsync(string type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(type);
        lock (_gate)
        {
            if (!_pauses.Remove(type))
            {
                return ValueTask.FromResult(false);
            }

            if (_pausedRunnable.Remove(type, out var waiting))
            {
                foreach (var item in waiting)
                {
                    _runnable.Enqueue(item, (item.Entry.AvailableAt.UtcTicks, item.Entry.Id));
                }
            }
        }

        _signal?.Notify(DateTimeOffset.MinValue);
        return ValueTask.FromResult(true);
    }

    public ValueTask<IReadOnlyList<EventTypePause>> GetPausesAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<EventTypePause> result = [.. _pauses.Values.OrderBy(p => p.Type, StringComparer.Ordinal)];
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask RecordProcessorAsync(EventProcessorInfo processor, DateTimeOffset goneBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(processor);
        lock (_gate)
        {
            foreach (var gone in _processors.Values.Where(p => p.LastSeenAt < goneBefore).Select(p => p.Id).ToList())
            {
                _processors.Remove(gone);
            }

            _processors[processor.Id] = processor;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveProcessorAsync(string processorId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _processors.Remove(processorId);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<EventProcessorInfo>> GetProcessorsAsync(DateTimeOffset seenSince, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<EventProcessorInfo> result = [.. _processors.Values.Where(p => p.LastSeenAt >= seenSince).OrderBy(p => p.Id, StringComparer.Ordinal)];
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>A failed, dead-lettered or completed event made pending again with a fresh attempt budget (requeue, replay).</summary>
    private void Reopen(Entry entry, DateTimeOffset now)
    {
        Move(entry, EventStatus.Pending);
        entry.UncountedAttempts = entry.Attempts;
        entry.AvailableAt = now;
        entry.ProcessedAt = null;
        entry.LastError = null;
        entry.Version++;
        EnqueueRunnable(entry);
    }

    private static EventLogEntry OperatorEntry(Entry entry, EventLogKind kind, string action, string actor, string reason, DateTimeOffset now) => new()
    {
        Id = SequentialGuid.Next(now),
        EventId = entry.Id,
        Kind = kind,
        Handler = action,
        Actor = actor,
        Result = EventLogResult.Success,
        Reason = reason,
        Attempt = entry.Attempts,
        Duration = TimeSpan.Zero,
        CreatedAt = now,
    };

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

    private static int Compare(Entry entry, EventPosition position)
    {
        var byTime = entry.CreatedAt.CompareTo(position.CreatedAt);
        return byTime != 0 ? byTime : DatabaseGuidComparer.Instance.Compare(entry.Id, position.Id);
    }

    /// <summary>Orders GUIDs as databases order UUIDs: by their bytes in big-endian order (the order of their text).</summary>
    private sealed class DatabaseGuidComparer : IComparer<Guid>
    {
        public static readonly DatabaseGuidComparer Instance = new();

        public int Compare(Guid x, Guid y)
        {
            Span<byte> a = stackalloc byte[16];
            Span<byte> b = stackalloc byte[16];
            x.TryWriteBytes(a, bigEndian: true, out _);
            y.TryWriteBytes(b, bigEndian: true, out _);
            return a.SequenceCompareTo(b);
        }
    }
}
