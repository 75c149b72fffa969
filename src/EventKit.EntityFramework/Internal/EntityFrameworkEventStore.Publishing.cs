using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// The EF Core store's publishing: events join the context's outbox (an idempotency key is looked up first), and the
/// events no SaveChanges took are reported at the end of the scope.
/// </summary>
internal sealed partial class EntityFrameworkEventStore<TContext>
{
    public ValueTask<Guid> AppendAsync(EventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.IdempotencyKey is not null)
        {
            return AppendKeyedAsync(record, cancellationToken);
        }

        Add(record);
        return ValueTask.FromResult(record.Id);
    }

    public async ValueTask<IReadOnlyList<Guid>> AppendManyAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);

        // The unit of work takes the batch only once every key is looked up: a lookup that fails (the database, a
        // cancelled token) leaves it as it was, so all of the batch is saved or none.
        var ids = new Guid[records.Count];
        var batch = new List<EventRecord>(records.Count);
        for (var i = 0; i < ids.Length; i++)
        {
            var record = records[i];
            ArgumentNullException.ThrowIfNull(record);
            if (record.IdempotencyKey is { } key && await FindKeyAsync(key, batch, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                ids[i] = existing;
                continue;
            }

            ids[i] = record.Id;
            batch.Add(record);
        }

        Outbox.Pending.EnsureCapacity(Outbox.Pending.Count + batch.Count);
        foreach (var record in batch)
        {
            Add(record);
        }

        return ids;
    }

    private async ValueTask<Guid> AppendKeyedAsync(EventRecord record, CancellationToken cancellationToken)
    {
        if (await FindKeyAsync(record.IdempotencyKey!, batch: null, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        Add(record);
        return record.Id;
    }

    /// <summary>The id of the event already published with <paramref name="key"/>: in this unit of work (or in <paramref name="batch"/>, not yet added to it), or stored.</summary>
    private async ValueTask<Guid?> FindKeyAsync(string key, List<EventRecord>? batch, CancellationToken cancellationToken)
    {
        if (Outbox.FindKey(key) is { } pending)
        {
            return pending;
        }

        foreach (var record in batch ?? (IEnumerable<EventRecord>)Array.Empty<EventRecord>())
        {
            if (record.IdempotencyKey == key)
            {
                return record.Id;
            }
        }

        // A key stored by a committed unit of work. One stored concurrently is not seen here: the INSERT skips it
        // (ON CONFLICT DO NOTHING), and the business change of this unit of work commits without a second event.
        return await Events.AsNoTracking().Where(e => e.IdempotencyKey == key).Select(e => (Guid?)e.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Add(EventRecord record)
    {
        Outbox.Pending.Add(record);
        if (!_published)
        {
            _published = true;
            unsaved?.Track(this);
        }
    }

    public void CollectUnsaved(ICollection<string> eventTypes)
    {
        // Still pending: no SaveChanges wrote them (written events leave the list; a rolled-back one was undone on purpose).
        foreach (var record in _outbox?.Pending ?? [])
        {
            eventTypes.Add(record.Type);
        }
    }

    /// <summary>Warns, at the end of the scope, about published events no SaveChanges took (unless the processor already named them).</summary>
    public void Dispose()
    {
        if (!_published || unsaved?.Reported == true)
        {
            return;
        }

        try
        {
            var types = new List<string>();
            CollectUnsaved(types);
            if (types.Count > 0)
            {
                Log.EventsNeverSaved(_logger, types.Count, typeof(TContext).Name, string.Join(", ", types.Distinct(StringComparer.Ordinal)));
            }
        }
        catch (ObjectDisposedException)
        {
            // The context went first; there is nothing left to ask.
        }
    }
}
