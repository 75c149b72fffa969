using System.Threading.Channels;

namespace EventKit.Internal;

/// <summary>
/// Wakes the processor in this process when an event becomes visible, so it does not wait for the next poll.
/// A bounded channel of one item coalesces any number of signals; the earliest announced availability time is
/// kept beside it so a delayed event wakes the processor exactly when it comes due.
/// </summary>
internal sealed class EventSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = false,
        SingleWriter = false,
    });

    private long _earliestTicks = long.MaxValue;

    /// <summary>Announces that an event is (or will be, at <paramref name="availableAt"/>) runnable.</summary>
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
    public DateTimeOffset? TakeEarliest()
    {
        while (_channel.Reader.TryRead(out _))
        {
        }

        var ticks = Interlocked.Exchange(ref _earliestTicks, long.MaxValue);
        return ticks == long.MaxValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);
}
