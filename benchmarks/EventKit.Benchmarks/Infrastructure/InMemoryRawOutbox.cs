namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// The in-memory baseline: what a hand-written in-process queue does for the same work. Publish serializes the
/// payload to JSON and enqueues it under a lock; a consumer takes batches under the lock, deserializes each payload
/// and calls the no-op handler. No leases, retries, log or retention: the ratio shows what those cost.
/// </summary>
public sealed class InMemoryRawOutbox
{
    private readonly Queue<(Guid Id, string Payload)> _queue = new();
    private readonly Lock _gate = new();

    public WakeSignal Signal { get; } = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public void Publish(OrderPlaced payload)
    {
        var json = RawOutbox.Serialize(payload);
        var id = Guid.CreateVersion7();
        lock (_gate)
        {
            _queue.Enqueue((id, json));
        }

        Signal.Notify();
    }

    public void Clear()
    {
        lock (_gate)
        {
            _queue.Clear();
        }
    }

    /// <summary>Takes up to <paramref name="max"/> events and dispatches them; returns how many.</summary>
    public int ProcessBatch(int max, List<(Guid Id, string Payload)> buffer, Action<OrderPlaced> handler)
    {
        buffer.Clear();
        lock (_gate)
        {
            while (buffer.Count < max && _queue.TryDequeue(out var item))
            {
                buffer.Add(item);
            }
        }

        foreach (var (id, payload) in buffer)
        {
            RawOutbox.Dispatch(new ClaimedRow(id, OrderPlaced.EventType, payload, 1), handler);
        }

        return buffer.Count;
    }
}
