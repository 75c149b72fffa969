namespace EventKit.Dashboard.Internal.Data;

/// <summary>One event type over a range: events, failures, processing time (publish to completion).</summary>
internal sealed record TypeStatistics(string Type, long Count, long Runs, long Failures, TimeSpan? AverageProcessingTime, TimeSpan? P95ProcessingTime)
{
    /// <summary>Failed handler runs per handler run, 0 when none ran.</summary>
    public double FailureRate => Runs == 0 ? 0 : (double)Failures / Runs;
}
