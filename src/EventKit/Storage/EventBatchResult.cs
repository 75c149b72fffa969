namespace EventKit.Storage;

/// <summary>
/// What one batch of a bulk requeue changed (<see cref="IEventStore.RequeueAsync"/>): how many events, and where the
/// batch ended, so the next batch continues strictly after it and one bulk action never takes an event twice.
/// </summary>
public sealed class EventBatchResult
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="count">How many events the batch changed; not negative.</param>
    /// <param name="last">The position of the last of them in creation order (oldest first), or <see langword="null"/> when it changed none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public EventBatchResult(int count, EventPosition? last)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
        Last = last;
    }

    /// <summary>Gets how many events the batch changed.</summary>
    public int Count { get; }

    /// <summary>Gets the position of the last event the batch changed (creation order, oldest first), or <see langword="null"/> when it changed none.</summary>
    public EventPosition? Last { get; }
}
