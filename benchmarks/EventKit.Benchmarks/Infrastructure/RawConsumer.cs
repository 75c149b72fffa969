using System.Diagnostics;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// The raw loop's background consumer for the end-to-end and latency workloads: claim a batch of 100, dispatch,
/// complete; when nothing is runnable, wait for the publishers' in-process signal (or a 1 s poll), as EventKit's
/// processor does.
/// </summary>
public sealed class RawConsumer : IAsyncDisposable
{
    public const int BatchSize = 100;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private RawConsumer(Func<Task<int>> processBatch, WakeSignal signal)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                int processed;
                try
                {
                    processed = await processBatch();
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    Trace.WriteLine($"raw consumer: {ex.Message}");
                    processed = 0;
                }

                if (processed == 0)
                {
                    await signal.WaitAsync(TimeSpan.FromSeconds(1), _stop.Token);
                }
            }
        });
    }

    public static RawConsumer Start(RawOutbox raw, WakeSignal signal, HandlerProbe probe)
    {
        var owner = $"raw/{Environment.ProcessId}/{Guid.NewGuid():N}";
        Action<OrderPlaced> handler = p => probe.Started(p.Seq);
        return new RawConsumer(
            async () =>
            {
                var now = DateTime.UtcNow;
                var rows = await raw.ClaimAsync(owner, BatchSize, now, now.AddSeconds(30));
                if (rows.Count == 0)
                {
                    return 0;
                }

                foreach (var row in rows)
                {
                    RawOutbox.Dispatch(row, handler);
                }

                await raw.CompleteAsync(rows, owner, DateTime.UtcNow);
                return rows.Count;
            },
            signal);
    }

    public static RawConsumer Start(InMemoryRawOutbox raw, HandlerProbe probe)
    {
        var buffer = new List<(Guid, string)>(BatchSize);
        Action<OrderPlaced> handler = p => probe.Started(p.Seq);
        return new RawConsumer(() => Task.FromResult(raw.ProcessBatch(BatchSize, buffer, handler)), raw.Signal);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
