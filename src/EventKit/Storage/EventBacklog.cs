namespace EventKit.Storage;

/// <summary>The events waiting to run, as sampled for gauges and the health check.</summary>
public sealed class EventBacklog
{
    /// <summary>Gets the number of <see cref="EventStatus.Pending"/> and <see cref="EventStatus.Failed"/> events, delayed ones included.</summary>
    public long Waiting { get; init; }

    /// <summary>
    /// Gets the earliest <see cref="EventRecord.AvailableAt"/> among events that are runnable now (pending or failed
    /// and due, or leased with an expired lease), or <see langword="null"/> when none is. The difference from now is
    /// how long work has been waiting: the signal of a stalled backlog.
    /// </summary>
    public DateTimeOffset? OldestRunnableAt { get; init; }

    /// <summary>Gets the number of <see cref="EventStatus.DeadLetter"/> events.</summary>
    public long DeadLetters { get; init; }
}
