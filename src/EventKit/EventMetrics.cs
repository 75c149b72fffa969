namespace EventKit;

/// <summary>Counts per status and the average processing time, as in the original design's metrics service.</summary>
public sealed class EventMetrics
{
    /// <summary>Gets the number of <see cref="EventStatus.Pending"/> events (including delayed ones).</summary>
    public long Pending { get; init; }

    /// <summary>Gets the number of <see cref="EventStatus.Processing"/> events.</summary>
    public long Processing { get; init; }

    /// <summary>Gets the number of <see cref="EventStatus.Completed"/> events still retained.</summary>
    public long Completed { get; init; }

    /// <summary>Gets the number of <see cref="EventStatus.Failed"/> events waiting for a retry.</summary>
    public long Failed { get; init; }

    /// <summary>Gets the number of <see cref="EventStatus.DeadLetter"/> events.</summary>
    public long DeadLetters { get; init; }

    /// <summary>Gets the number of <see cref="EventStatus.Cancelled"/> events still retained.</summary>
    public long Cancelled { get; init; }

    /// <summary>
    /// Gets the average of <see cref="EventRecord.ProcessedAt"/> − <see cref="EventRecord.CreatedAt"/> over retained
    /// completed events, or <see langword="null"/> when there are none.
    /// </summary>
    public TimeSpan? AverageProcessingTime { get; init; }
}
