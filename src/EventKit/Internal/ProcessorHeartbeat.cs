namespace EventKit.Internal;

/// <summary>When the processor loop last completed a cycle (a claim, or a wait that ended), for the health check.</summary>
internal sealed class ProcessorHeartbeat
{
    private long _lastCycleTicks = long.MinValue;

    public DateTimeOffset? LastCycleAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastCycleTicks);
            return ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void Beat(DateTimeOffset now) => Interlocked.Exchange(ref _lastCycleTicks, now.UtcTicks);
}
