using System.Diagnostics;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// What handlers report to the benchmark: how many started, and when each started (by the payload's
/// <see cref="OrderPlaced.Seq"/>), so an operation can wait for "all handled" and latency can be computed from the
/// publisher's commit stamp. Cost per handler run: one timestamp, one array write, one interlocked increment.
/// </summary>
public sealed class HandlerProbe
{
    private long[] _committed = new long[1];
    private long[] _started = new long[1];
    private int _count;
    private int _expected = int.MaxValue;
    private TaskCompletionSource _done = NewSource();

    /// <summary>Completes when the expected number of handler runs started.</summary>
    public Task Done => _done.Task;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Every this many events (by sequence number) the handler is slow; 0 for none.</summary>
    public int SlowEvery { get; set; }

    /// <summary>How long a slow event's handler takes.</summary>
    public TimeSpan SlowFor { get; set; }

    /// <summary>Arms the probe for <paramref name="count"/> handler runs with sequence numbers 0 … count-1.</summary>
    public void Expect(int count)
    {
        if (_committed.Length < count)
        {
            _committed = new long[count];
            _started = new long[count];
        }
        else
        {
            Array.Clear(_committed, 0, count);
            Array.Clear(_started, 0, count);
        }

        _done = NewSource();
        Volatile.Write(ref _count, 0);
        Volatile.Write(ref _expected, count);
    }

    /// <summary>Called by the publisher right after the commit of event <paramref name="seq"/> returned.</summary>
    public void Committed(int seq) => _committed[seq] = Stopwatch.GetTimestamp();

    /// <summary>Called by the handler as its first action.</summary>
    public void Started(int seq)
    {
        var started = _started;
        if ((uint)seq < (uint)started.Length)
        {
            started[seq] = Stopwatch.GetTimestamp();
        }

        if (Interlocked.Increment(ref _count) == Volatile.Read(ref _expected))
        {
            _done.TrySetResult();
        }
    }

    /// <summary>Adds commit → handler-start latencies of events 0 … count-1 to <paramref name="recorder"/>.</summary>
    public void CopyLatencies(int count, LatencyRecorder recorder)
    {
        for (var i = 0; i < count; i++)
        {
            if (_committed[i] != 0 && _started[i] != 0)
            {
                // A handler can start before the publisher's continuation stamps the commit: that is zero latency.
                recorder.Add(Math.Max(0, _started[i] - _committed[i]));
            }
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
