using System.Threading.Channels;

namespace EventKit.Storage;

/// <summary>
/// Wakes the processor in this process when an event becomes visible, so it does not wait for the next poll.
/// A bounded channel of one item coalesces any number of signals; beside it the signal keeps whether something is
/// runnable now and every future time announced (a delayed event, a retry), so each wakes the processor exactly when it
/// comes due, whatever was announced around it.
/// </summary>
/// <remarks>
/// A singleton registered by <c>AddEventKit()</c>. A transactional store, whose events become visible when the
/// application's unit of work commits rather than when they are appended, calls <see cref="Notify"/> after the commit.
/// Thread-safe.
/// </remarks>
public sealed class EventSignal
{
    /// <summary>
    /// How many distinct future times (whole milliseconds) are kept. Beyond it the latest are forgotten: those events
    /// are found by the next poll (<see cref="EventKitOptions.PollingInterval"/>), as are events of other instances.
    /// </summary>
    internal const int MaxFutureTimes = 10_000;

    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = false,
        SingleWriter = false,
    });

    private readonly TimeProvider _time;
    private readonly SortedSet<long> _future = [];
    private int _runnable;

    internal EventSignal(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Announces that an event is (or will be, at <paramref name="availableAt"/>) runnable.</summary>
    /// <param name="availableAt">The earliest time (UTC) at which one of the new events may be claimed.</param>
    public void Notify(DateTimeOffset availableAt)
    {
        if (availableAt <= _time.GetUtcNow())
        {
            Volatile.Write(ref _runnable, 1);
        }
        else
        {
            // Rounded up to a whole millisecond: never early, and events due within one millisecond share an entry.
            var ticks = availableAt.UtcTicks;
            var partial = ticks % TimeSpan.TicksPerMillisecond;
            if (partial != 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerMillisecond)
            {
                ticks += TimeSpan.TicksPerMillisecond - partial;
            }

            lock (_future)
            {
                if (_future.Add(ticks) && _future.Count > MaxFutureTimes)
                {
                    _future.Remove(_future.Max);
                }
            }
        }

        _channel.Writer.TryWrite(true);
    }

    /// <summary>
    /// Takes what was announced as of <paramref name="now"/>: whether something is runnable (announced as runnable, or a
    /// future time that has come, which is forgotten), and the earliest future time still to come (kept).
    /// </summary>
    internal (bool Runnable, DateTimeOffset? Next) Take(DateTimeOffset now)
    {
        while (_channel.Reader.TryRead(out _))
        {
        }

        var runnable = Interlocked.Exchange(ref _runnable, 0) == 1;
        lock (_future)
        {
            while (_future.Count > 0 && _future.Min <= now.UtcTicks)
            {
                _future.Remove(_future.Min);
                runnable = true;
            }

            return (runnable, _future.Count > 0 ? new DateTimeOffset(_future.Min, TimeSpan.Zero) : null);
        }
    }

    internal ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);
}
