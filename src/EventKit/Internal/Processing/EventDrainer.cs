namespace EventKit.Internal.Processing;

/// <summary>The public drain: <see cref="EventProcessor.DrainAsync"/>, one at a time and never beside the hosted run.</summary>
internal sealed class EventDrainer(EventProcessor processor) : IEventDrainer
{
    public async Task<EventDrainResult> DrainAsync(int maxEvents = int.MaxValue, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        if (Interlocked.CompareExchange(ref processor.Active, 1, 0) != 0)
        {
            throw new InvalidOperationException(
                "EventKit's processor of this service provider is already running (the hosted processor, or another drain): drain only where hosted services are not started, one drain at a time.");
        }

        try
        {
            // Cancelling stops claiming and also cancels running handlers (there is no grace to wait out: a handler that
            // waits for a fake clock nobody moves would otherwise hold the caller forever); their events are released.
            var summary = await processor.DrainAsync(maxEvents, abortToken: cancellationToken, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new EventDrainResult(summary.Claimed - summary.Released, summary.Completed, summary.Failed, summary.DeadLettered, summary.Released);
        }
        finally
        {
            Interlocked.Decrement(ref processor.Active);
        }
    }
}
