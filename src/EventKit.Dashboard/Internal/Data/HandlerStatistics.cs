namespace EventKit.Dashboard.Internal.Data;

/// <summary>One handler of one event type: runs, failed runs, average duration of a run.</summary>
internal sealed record HandlerStatistics(string Type, string Handler, long Runs, long Failures, TimeSpan AverageDuration);
