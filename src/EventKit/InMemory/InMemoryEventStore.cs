using System.Text;
using EventKit.Internal;
using EventKit.Internal.Operations;

namespace EventKit.InMemory;

/// <summary>
/// A thread-safe store in process memory with the same semantics as a database store: atomic claims with
/// leases that expire, per-handler success tracking, idempotency keys, retention. Claims cost O(k log n) through
/// priority queues ordered by availability and lease expiry; metrics per status are kept as running counts. Leases
/// are measured by the callers' clocks, so an expired lease becomes claimable only once it has been expired for a
/// further lease duration: processors in one process with clocks up to a lease duration apart cannot take over each
/// other's live leases. Events of a paused type met at the head of the runnable queue are set aside per type, and go
/// back in line when it is resumed.
/// </summary>
internal sealed partial class InMemoryEventStore : IEventStore
{
    private readonly Lock _gate = new();
    private readonly EventSignal? _signal;
    private readonly Dictionary<Guid, Entry> _events = [];
    private readonly Dictionary<string, Guid> _idempotencyKeys = new(StringComparer.Ordinal);

    // Queues hold (entry, version) pairs; a pair whose version no longer matches the entry is stale and skipped.
    private readonly PriorityQueue<(Entry Entry, long Version), (long Ticks, Guid Id)> _runnable = new();
    private readonly PriorityQueue<(Entry Entry, long Version), long> _leases = new();
    private readonly PriorityQueue<(Entry Entry, long Version), long> _completed = new();
    private readonly PriorityQueue<(Entry Entry, long Version), long> _deadLetters = new();
    private readonly PriorityQueue<(Entry Entry, long Version), long> _cancelled = new();
    private readonly Dictionary<string, EventTypePause> _pauses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(Entry Entry, long Version)>> _pausedRunnable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EventProcessorInfo> _processors = new(StringComparer.Ordinal);
    private readonly long[] _statusCounts = new long[6];
    private long _sequence;
    private long _completedDurationTicks;

    public InMemoryEventStore(EventSignal? signal = null) => _signal = signal;

    public ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (record.IdempotencyKey is { } key)
            {
                if (_idempotencyKeys.TryGetValue(key, out var existing))
                {
                    return ValueTask.FromResult(existing);
                }

                _idempotencyKeys[key] = record.Id;
            }

            if (!_events.TryAdd(record.Id, new Entry(record, ++_sequence)))
            {
                if (record.IdempotencyKey is { } added)
                {
                    _idempotencyKeys.Remove(added);
                }

                throw new InvalidOperationException($"An event with id {record.Id} already exists.");
            }

            var entry = _events[record.Id];
            entry.Status = EventStatus.Pending;
            _statusCounts[(int)EventStatus.Pending]++;
            Track(entry, held: false);
            EnqueueRunnable(entry);
        }

        _signal?.Notify(record.AvailableAt);
        return ValueTask.FromResult(record.Id);
    }

    public ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var nowTicks = now.UtcTicks;
        var leaseUntil = now + leaseDuration;
        List<ClaimedEvent>? claimed = null;
        lock (_gate)
        {
            // Expired leases become runnable again, ordered by their lease expiry (their availability), then id; only
            // once expired for a further lease duration (the grace that tolerates skew between the callers' clocks).
            var expiredBefore = nowTicks - leaseDuration.Ticks;
            while (_leases.TryPeek(out var lease, out var until) && until <= expiredBefore)
            {
                _leases.Dequeue();
                if (lease.Entry.Version == lease.Version && lease.Entry.Status == EventStatus.Processing)
                {
                    lease.Entry.Version++;
                    EnqueueRunnable(lease.Entry);
                }
            }

            long loaded = 0;
            List<((Entry Entry, long Version) Item, (long Ticks, Guid Id) Key)>? heldBack = null;
            while ((claimed?.Count ?? 0) < maxCount && _runnable.TryPeek(out var item, out var key) && key.Ticks <= nowTicks)
            {
                var entry = item.Entry;
                if (entry.Version != item.Version)
                {
                    _runnable.Dequeue();
                    continue;
                }

                if (_pauses.ContainsKey(entry.Type))
                {
                    _runnable.Dequeue();
                    SetAside(item);
                    continue;
                }

                // Held back by an earlier event of its entity: passed over for this claim, kept in line (the database
                // stores read past such rows in their runnable index the same way).
                if (IsHeldBack(entry))
                {
                    _runnable.Dequeue();
                    (heldBack ??= []).Add((item, key));
                    continue;
                }

                // The payload budget: stop at the first event that does not fit (it stays first in line), but always take one.
                if (claimed is not null && loaded + entry.PayloadBytes > maxPayloadBytes)
                {
                    break;
                }

                _runnable.Dequeue();
                loaded += entry.PayloadBytes;

                Move(entry, EventStatus.Processing);
                entry.Attempts++;
                entry.LockedBy = owner;
                entry.LockedUntil = leaseUntil;
                entry.AvailableAt = leaseUntil;
                entry.Version++;
                _leases.Enqueue((entry, entry.Version), leaseUntil.UtcTicks);
                IReadOnlyCollection<string> succeeded = entry.Logs.Count == 0 ? [] : SucceededHandlers(entry.Logs);
                (claimed ??= new List<ClaimedEvent>(Math.Min(maxCount, 64))).Add(new ClaimedEvent(entry.ToRecord(), succeeded));
            }

            foreach (var (item, key) in heldBack ?? [])
            {
                _runnable.Enqueue(item, key);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<ClaimedEvent>>(claimed ?? (IReadOnlyList<ClaimedEvent>)[]);
    }

    public ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        var leaseUntil = now + leaseDuration;
        var renewed = new List<Guid>(eventIds.Count);
        lock (_gate)
        {
            foreach (var id in eventIds)
            {
                if (_events.TryGetValue(id, out var entry) && entry.Status == EventStatus.Processing && entry.LockedBy == owner)
                {
                    entry.LockedUntil = leaseUntil;
                    entry.AvailableAt = leaseUntil;
                    entry.Version++;
                    _leases.Enqueue((entry, entry.Version), leaseUntil.UtcTicks);
                    renewed.Add(id);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyCollection<Guid>>(renewed);
    }

    public ValueTask<int> SettleAsync(IReadOnlyList<EventOutcome> outcomes, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        foreach (var outcome in outcomes)
        {
            ArgumentNullException.ThrowIfNull(outcome);
            outcome.Validate();
        }

        var applied = 0;
        var released = false;
        lock (_gate)
        {
            foreach (var outcome in outcomes)
            {
                if (!_events.TryGetValue(outcome.EventId, out var entry))
                {
                    continue;
                }

                entry.AddLogs(outcome.Logs);

                if (entry.Status != EventStatus.Processing || entry.LockedBy != owner)
                {
                    continue;
                }

                entry.LockedBy = null;
                entry.LockedUntil = null;
                entry.Version++;
                Move(entry, outcome.Status);
                switch (outcome.Status)
                {
                    case EventStatus.Completed:
                        entry.ProcessedAt = outcome.ProcessedAt;
                        entry.LastError = null;
                        _completedDurationTicks += (outcome.ProcessedAt!.Value - entry.CreatedAt).Ticks;
                        _completed.Enqueue((entry, entry.Version), outcome.ProcessedAt.Value.UtcTicks);
                        break;
                    case EventStatus.DeadLetter:
                        entry.ProcessedAt = outcome.ProcessedAt;
                        entry.LastError = outcome.Error;
                        _deadLetters.Enqueue((entry, entry.Version), outcome.ProcessedAt!.Value.UtcTicks);
                        break;
                    case EventStatus.Failed:
                        entry.AvailableAt = outcome.AvailableAt!.Value;
                        entry.LastError = outcome.Error;
                        EnqueueRunnable(entry);
                        break;
                    default:
                        // An attempt whose handlers ran keeps its number (the log shows it); it is just not counted.
                        if (outcome.Logs.Count > 0)
                        {
                            entry.UncountedAttempts++;
                        }
                        else
                        {
                            entry.Attempts = Math.Max(0, entry.Attempts - 1);
                        }

                        entry.AvailableAt = outcome.AvailableAt!.Value;
                        entry.LastError = outcome.Error ?? entry.LastError;
                        EnqueueRunnable(entry);
                        released = true;
                        break;
                }

                applied++;
            }
        }

        if (released)
        {
            _signal?.Notify(DateTimeOffset.MinValue);
        }

        return ValueTask.FromResult(applied);
    }

    public ValueTask<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken = default)
    {
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
        lock (_gate)
        {
            // The queue heads are the oldest; stale heads (superseded versions) are dropped on the way.
            while (_runnable.TryPeek(out var item, out _) && item.Entry.Version != item.Version)
            {
                _runnable.Dequeue();
            }

            DateTimeOffset? oldest = _runnable.TryPeek(out var head, out var key) && key.Ticks <= now.UtcTicks ? head.Entry.AvailableAt : null;
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
        lock (_gate)
        {
            return ValueTask.FromResult(_events.TryGetValue(eventId, out var entry)
                ? new EventDetails(entry.ToRecord(), [.. entry.Logs.OrderBy(l => l.CreatedAt).ThenBy(l => l.Id)])
                : null);
        }
    }

    public ValueTask<int> DeleteProcessedAsync(EventStatus status, DateTimeOffset processedBefore, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var queue = status switch
        {
            EventStatus.Completed => _completed,
            EventStatus.DeadLetter => _deadLetters,
            EventStatus.Cancelled => _cancelled,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Only Completed, Cancelled and DeadLetter events can be deleted."),
        };

        var deleted = 0;
        var cutoff = processedBefore.UtcTicks;
        lock (_gate)
        {
            while (deleted < batchSize && queue.TryPeek(out var item, out var processedAt) && processedAt < cutoff)
            {
                queue.Dequeue();
                var entry = item.Entry;
                if (entry.Version != item.Version || entry.Status != status)
                {
                    continue;
                }

                Remove(entry);
                deleted++;
            }
        }

        return ValueTask.FromResult(deleted);
    }

    /// <summary>
    /// The handlers that succeeded, except a success at or before a later replay of that handler (or of all): the
    /// rule of every store's claim.
    /// </summary>
    private static HashSet<string> SucceededHandlers(IReadOnlyList<EventLogEntry> logs)
    {
        var succeeded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var log in logs)
        {
            if (log.Kind == EventLogKind.HandlerRun && log.Result == EventLogResult.Success && !Replayed(logs, log))
            {
                succeeded.Add(log.Handler);
            }
        }

        return succeeded;
    }

    private static bool Replayed(IReadOnlyList<EventLogEntry> logs, EventLogEntry success)
    {
        foreach (var log in logs)
        {
            if (log.Kind == EventLogKind.Replay && log.Attempt >= success.Attempt && (log.Handler == EventLogEntry.AllHandlers || log.Handler == success.Handler))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes an event (retention, purge) with its idempotency key and its share of the metrics.</summary>
    private void Remove(Entry entry)
    {
        var held = Holds(entry);
        _events.Remove(entry.Id);
        Track(entry, held);
        if (entry.IdempotencyKey is { } key)
        {
            _idempotencyKeys.Remove(key);
        }

        _statusCounts[(int)entry.Status]--;
        if (entry.Status == EventStatus.Completed)
        {
            _completedDurationTicks -= (entry.ProcessedAt!.Value - entry.CreatedAt).Ticks;
        }

        entry.Version++;
    }

    private void SetAside((Entry Entry, long Version) item)
    {
        if (!_pausedRunnable.TryGetValue(item.Entry.Type, out var list))
        {
            _pausedRunnable[item.Entry.Type] = list = [];
        }

        list.Add(item);
    }

    private void EnqueueRunnable(Entry entry) =>
        _runnable.Enqueue((entry, entry.Version), (entry.AvailableAt.UtcTicks, entry.Id));

    private void Move(Entry entry, EventStatus status)
    {
        var held = Holds(entry);
        _statusCounts[(int)entry.Status]--;
        _statusCounts[(int)status]++;
        entry.Status = status;
        Track(entry, held);
    }

    private sealed class Entry(EventRecord record, long sequence)
    {
        public readonly Guid Id = record.Id;
        public readonly string Type = record.Type;
        public readonly long Sequence = sequence;
        public readonly DateTimeOffset CreatedAt = record.CreatedAt;
        public readonly string? IdempotencyKey = record.IdempotencyKey;
        public readonly EventOrdering Ordering = record.Ordering;
        public readonly (long Ticks, Guid Id) OrderKey = (record.CreatedAt.UtcTicks, record.Id);
        public readonly EventRecord Original = record;
        public readonly int PayloadBytes = Encoding.UTF8.GetByteCount(record.Payload);
        public EventStatus Status = record.Status;
        public int Attempts = record.Attempts;
        public int UncountedAttempts = record.UncountedAttempts;
        public DateTimeOffset AvailableAt = record.AvailableAt;
        public DateTimeOffset? ProcessedAt = record.ProcessedAt;
        public string? LockedBy = record.LockedBy;
        public DateTimeOffset? LockedUntil = record.LockedUntil;
        public string? LastError = record.LastError;
        public long Version;

        /// <summary>The handler log. The first batch of entries is kept as given (the processor never changes it after settling), so most events cost no copy.</summary>
        public IReadOnlyList<EventLogEntry> Logs { get; private set; } = [];

        public void AddLogs(IReadOnlyList<EventLogEntry> logs)
        {
            if (logs.Count == 0)
            {
                return;
            }

            if (Logs.Count == 0)
            {
                Logs = logs;
                return;
            }

            // A settle repeated after a lost acknowledgement brings the same entries again: keep one of each id.
            var added = new List<EventLogEntry>(Logs.Count + logs.Count);
            added.AddRange(Logs);
            foreach (var log in logs)
            {
                if (!Contains(Logs, log.Id))
                {
                    added.Add(log);
                }
            }

            Logs = added;
        }

        private static bool Contains(IReadOnlyList<EventLogEntry> logs, Guid id)
        {
            for (var i = 0; i < logs.Count; i++)
            {
                if (logs[i].Id == id)
                {
                    return true;
                }
            }

            return false;
        }

        public EventRecord ToRecord() => new()
        {
            Id = Id,
            Type = Type,
            Entity = Original.Entity,
            EntityId = Original.EntityId,
            Payload = Original.Payload,
            Status = Status,
            Attempts = Attempts,
            UncountedAttempts = UncountedAttempts,
            AvailableAt = AvailableAt,
            CreatedAt = CreatedAt,
            ProcessedAt = ProcessedAt,
            LockedBy = LockedBy,
            LockedUntil = LockedUntil,
            Actor = Original.Actor,
            CorrelationId = Original.CorrelationId,
            IdempotencyKey = IdempotencyKey,
            TraceParent = Original.TraceParent,
            LastError = LastError,
            Ordering = Ordering,
        };
    }
}
