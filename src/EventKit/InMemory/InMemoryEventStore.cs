using System.Text;

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

    /// <summary>
    /// Runnable events of types the last claims excluded (a throttled handler's backlog), per type in due order, with
    /// their keys in <see cref="_runnable"/>; back in line at the first claim that does not exclude the type.
    /// </summary>
    private readonly Dictionary<string, List<((Entry Entry, long Version) Item, (long Ticks, Guid Id) Key)>> _excludedRunnable = new(StringComparer.Ordinal);
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
            if (FindKeyLocked(record) is { } existing)
            {
                return ValueTask.FromResult(existing);
            }

            if (_events.ContainsKey(record.Id))
            {
                throw new InvalidOperationException($"An event with id {record.Id} already exists.");
            }

            AddLocked(record);
        }

        _signal?.Notify(record.AvailableAt);
        return ValueTask.FromResult(record.Id);
    }

    /// <summary>
    /// Adds every record under one lock, after one cancellation check: all are stored or none (the interface's default
    /// appends one by one, and a token cancelled between two of them would leave the first ones stored).
    /// </summary>
    public ValueTask<IReadOnlyList<Guid>> AppendManyAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        var ids = new Guid[records.Count];
        var added = new List<DateTimeOffset>(records.Count);
        lock (_gate)
        {
            // Checked before anything is added, so a refused batch leaves the store as it was.
            var batchIds = new HashSet<Guid>(records.Count);
            foreach (var record in records)
            {
                ArgumentNullException.ThrowIfNull(record);
                if (_events.ContainsKey(record.Id) || !batchIds.Add(record.Id))
                {
                    throw new InvalidOperationException($"An event with id {record.Id} already exists.");
                }
            }

            for (var i = 0; i < ids.Length; i++)
            {
                var record = records[i];
                if (FindKeyLocked(record) is { } existing)
                {
                    ids[i] = existing;
                    continue;
                }

                AddLocked(record);
                ids[i] = record.Id;
                added.Add(record.AvailableAt);
            }
        }

        foreach (var availableAt in added)
        {
            _signal?.Notify(availableAt);
        }

        return ValueTask.FromResult<IReadOnlyList<Guid>>(ids);
    }

    /// <summary>The id of the event already stored with <paramref name="record"/>'s idempotency key, if any.</summary>
    private Guid? FindKeyLocked(EventRecord record) =>
        record.IdempotencyKey is { } key && _idempotencyKeys.TryGetValue(key, out var existing) ? existing : null;

    private void AddLocked(EventRecord record)
    {
        if (record.IdempotencyKey is { } key)
        {
            _idempotencyKeys[key] = record.Id;
        }

        var entry = new Entry(record, ++_sequence);
        _events.Add(record.Id, entry);
        entry.Status = EventStatus.Pending;
        _statusCounts[(int)EventStatus.Pending]++;
        Track(entry, held: false);
        EnqueueRunnable(entry);
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

        cancellationToken.ThrowIfCancellationRequested();
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
        Compact(entry.Status);
    }

    /// <summary>
    /// Drops the stale pairs of the retention queue of <paramref name="status"/> (an event just left it) once they outnumber the live ones. Only retention dequeues them,
    /// and never one whose retention is infinite (dead letters by default), so without this every event that left
    /// such a queue (purged, requeued, replayed) would stay referenced there, payload and log, for the life of the
    /// process. Amortized O(1): a queue is rebuilt only after as many stale pairs as it has live ones, plus 64.
    /// </summary>
    private void Compact(EventStatus status)
    {
        var queue = status switch
        {
            EventStatus.Completed => _completed,
            EventStatus.DeadLetter => _deadLetters,
            EventStatus.Cancelled => _cancelled,
            _ => null,
        };
        if (queue is null || queue.Count <= (2 * _statusCounts[(int)status]) + 64)
        {
            return;
        }

        var live = queue.UnorderedItems.Where(i => i.Element.Entry.Version == i.Element.Version && i.Element.Entry.Status == status).ToList();
        queue.Clear();
        queue.EnqueueRange(live);
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
