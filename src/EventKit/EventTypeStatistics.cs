namespace EventKit;

/// <summary>How the events of one type created in a time range fared (<see cref="IEventOperations.GetTypeStatisticsAsync"/>).</summary>
public sealed class EventTypeStatistics
{
    /// <summary>Gets the event type name.</summary>
    public required string Type { get; init; }

    /// <summary>Gets how many events of the type were created in the range.</summary>
    public long Count { get; init; }

    /// <summary>Gets how many of them are completed.</summary>
    public long Completed { get; init; }

    /// <summary>Gets how many of them had at least one failed handler run.</summary>
    public long Failed { get; init; }

    /// <summary>Gets <see cref="Failed"/> divided by <see cref="Count"/>: from 0 to 1.</summary>
    public double FailureRate => Count == 0 ? 0 : (double)Failed / Count;

    /// <summary>
    /// Gets the average processing time (<see cref="EventRecord.ProcessedAt"/> − <see cref="EventRecord.CreatedAt"/>) of the
    /// completed ones, in whole milliseconds, or <see langword="null"/> when none completed.
    /// </summary>
    public TimeSpan? AverageProcessingTime { get; init; }

    /// <summary>
    /// Gets the 95th percentile of the processing times of the completed ones (nearest rank: the smallest time that at
    /// least 95 % of them do not exceed), in whole milliseconds, or <see langword="null"/> when none completed.
    /// </summary>
    public TimeSpan? P95ProcessingTime { get; init; }
}
