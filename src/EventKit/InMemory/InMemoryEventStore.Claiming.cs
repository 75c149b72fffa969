namespace EventKit.InMemory;

/// <summary>The in-memory store's claims, lease renewals and settles (the processor's side, under the lock).</summary>
internal sealed partial class InMemoryEventStore
{
    public ValueTask<IReadOnlyList<ClaimedEvent>> ClaimAsync(string owner, int maxCount, int maxPayloadBytes, DateTimeOffset now, TimeSpan leaseDuration, IReadOnlyCollection<string>? excludedTypes = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(leaseDuration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var excluded = ExcludedSet(excludedTypes);
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

            ReturnExcluded(excluded);
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

                // Of a type this claim excludes: set aside, in due order, until a claim that does not exclude it, so a
                // throttled handler's backlog is not read again by every claim while it lasts.
                if (excluded?.Contains(entry.Type) == true)
                {
                    _runnable.Dequeue();
                    if (!_excludedRunnable.TryGetValue(entry.Type, out var aside))
                    {
                        _excludedRunnable[entry.Type] = aside = [];
                    }

                    aside.Add((item, key));
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

    /// <summary>
    /// Puts the events set aside by earlier claims that excluded their type back in line, for the types this claim does
    /// not exclude (caller holds the lock). Superseded ones (changed meanwhile) are dropped.
    /// </summary>
    private void ReturnExcluded(HashSet<string>? excluded)
    {
        if (_excludedRunnable.Count == 0)
        {
            return;
        }

        List<string>? returned = null;
        foreach (var (type, aside) in _excludedRunnable)
        {
            if (excluded?.Contains(type) == true)
            {
                continue;
            }

            foreach (var (item, key) in aside)
            {
                if (item.Entry.Version == item.Version)
                {
                    _runnable.Enqueue(item, key);
                }
            }

            (returned ??= []).Add(type);
        }

        foreach (var type in returned ?? [])
        {
            _excludedRunnable.Remove(type);
        }
    }

    /// <summary>The excluded types as a set, <see langword="null"/> for none; a null type is refused, as every store refuses it.</summary>
    private static HashSet<string>? ExcludedSet(IReadOnlyCollection<string>? excludedTypes)
    {
        if (excludedTypes is not { Count: > 0 })
        {
            return null;
        }

        var excluded = new HashSet<string>(excludedTypes.Count, StringComparer.Ordinal);
        foreach (var type in excludedTypes)
        {
            excluded.Add(type ?? throw new ArgumentException("The excluded event types contain null.", nameof(excludedTypes)));
        }

        return excluded;
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
}
