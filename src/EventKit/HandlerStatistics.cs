namespace EventKit;

/// <summary>The runs of one handler that ended in a time range (<see cref="IEventOperations.GetHandlerStatisticsAsync"/>).</summary>
public sealed class HandlerStatistics
{
    /// <summary>Gets the handler's name, as in the event log.</summary>
    public required string Handler { get; init; }

    /// <summary>Gets how many runs ended in the range (interrupted ones included).</summary>
    public long Runs { get; init; }

    /// <summary>Gets how many of them failed.</summary>
    public long Failures { get; init; }

    /// <summary>Gets the average duration of the runs, in whole milliseconds.</summary>
    public TimeSpan AverageDuration { get; init; }
}
