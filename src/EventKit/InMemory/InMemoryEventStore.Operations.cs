using EventKit.Internal;
using EventKit.Internal.Operations;

namespace EventKit.InMemory;

/// <summary>The in-memory store's operator actions, pauses and processor heartbeats (under the lock).</summary>
internal sealed partial class InMemoryEventStore
{
    public ValueTask<EventBatchResult> RequeueAsync(Guid? eventId, EventFilter filter, EventPosition? after, int batchSize, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var count = 0;
        Entry? last = null;
        lock (_gate)
        {
            var candidates = eventId is { } id
                ? (_events.TryGetValue(id, out var one) && filter.Matches(one.ToRecord()) ? [one] : [])
                : Ordered(Select(filter), newest: false).Where(e => after is null || Compare(e, after) > 0).ToList();
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
                last = entry;
            }
        }

        if (count > 0)
        {
            _signal?.Notify(now);
        }

        return ValueTask.FromResult(new EventBatchResult(count, last is null ? null : new EventPosition(last.CreatedAt, last.Id)));
    }

    public ValueTask<bool> ReplayAsync(Guid eventId, string handler, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
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
        cancellationToken.ThrowIfCancellationRequested();
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

    public ValueTask<int> PurgeAsync(EventFilter filter, EventPosition through, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(through);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var batch = Ordered(Select(filter), newest: false).TakeWhile(e => Compare(e, through) <= 0).Where(e => e.Status != EventStatus.Processing).Take(batchSize).ToList();
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
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_pauses.TryAdd(pause.Type, pause));
        }
    }

    public ValueTask<bool> ResumeAsync(string type, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(type);
        cancellationToken.ThrowIfCancellationRequested();
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
        cancellationToken.ThrowIfCancellationRequested();
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
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<EventProcessorInfo> result = [.. _processors.Values.Where(p => p.LastSeenAt >= seenSince).OrderBy(p => p.Id, StringComparer.Ordinal)];
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>A failed, dead-lettered or completed event made pending again with a fresh attempt budget (requeue, replay).</summary>
    private void Reopen(Entry entry, DateTimeOffset now)
    {
        var left = entry.Status;
        Move(entry, EventStatus.Pending);
        entry.UncountedAttempts = entry.Attempts;
        entry.AvailableAt = now;
        entry.ProcessedAt = null;
        entry.LastError = null;
        entry.Version++;
        EnqueueRunnable(entry);
        Compact(left);
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
}
