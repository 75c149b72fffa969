using System.Threading.Channels;

namespace EventKit.Storage;

/// <summary>
/// Wakes the processor in this process when an event becomes visible, so it does not wait for the next poll.
/// A bounded channel of one item coalesces any number of signals; the earliest announced availability time is
/// kept beside it so a delayed event wakes the processor exactly when it comes due.
/// </summary>
/// <remarks>
/// A singleton registered by <c>AddEventKit()</c>. A transactional store, whose events become visible when the
/// application's unit of work commits rather than when they are appended, calls <see cref="Notify"/> after the commit.
/// Thread-safe.
/// </remarks>
public sealed class EventSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = false,
        SingleWriter = false,
    });

    private long _earliestTicks = long.MaxValue;

    internal EventSignal()
    {
    }

    /// <summary>Announces that an event is (or will be, at <paramref name="availableAt"/>) runnable.</summary>
    /// <param name="availableAt">The earliest time (UTC) at which one of the new events may be claimed.</param>
    public void Notify(DateTimeOffset availableAt)
    {
        var ticks = availableAt.UtcTicks;
        var current = Volatile.Read(ref _earliestTicks);
        while (ticks < current)
        {
            var seen = Interlocked.CompareExchange(ref _earliestTicks, ticks, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }

        _channel.Writer.TryWrite(true);
    }

    /// <summary>Returns and forgets the earliest announced time, or <see langword="null"/> if nothing was announced.</summary>
    internal DateTimeOffset? TakeEarliest()
    {
        while (_channel.Reader.TryRead(out _))
        {
        }

        var ticks = Interlocked.Exchange(ref _earliestTicks, long.MaxValue);
        return ticks == long.MaxValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    internal ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);
}
