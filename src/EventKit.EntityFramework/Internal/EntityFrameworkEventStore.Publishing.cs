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
        var ids = new Guid[records.Count];
        var pending = Outbox.Pending;
        pending.EnsureCapacity(pending.Count + records.Count);
        for (var i = 0; i < ids.Length; i++)
        {
            var record = records[i];
            ArgumentNullException.ThrowIfNull(record);
            if (record.IdempotencyKey is not null)
            {
                ids[i] = await AppendKeyedAsync(record, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ids[i] = record.Id;
            Add(record);
        }

        return ids;
    }

    private async ValueTask<Guid> AppendKeyedAsync(EventRecord record, CancellationToken cancellationToken)
    {
        var key = record.IdempotencyKey!;
        if (Outbox.FindKey(key) is { } pending)
        {
            return pending;
        }

        // A key stored by a committed unit of work. One stored concurrently is not seen here: the INSERT skips it
        // (ON CONFLICT DO NOTHING), and the business change of this unit of work commits without a second event.
        var existing = await Events.AsNoTracking().Where(e => e.IdempotencyKey == key).Select(e => (Guid?)e.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (existing is { } id)
        {
            return id;
        }

        Add(record);
        return record.Id;
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
