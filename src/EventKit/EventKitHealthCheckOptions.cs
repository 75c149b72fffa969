namespace EventKit;

/// <summary>Thresholds of <see cref="EventKitHealthCheck"/>, configured with <c>services.AddHealthChecks().AddEventKit(o =&gt; …)</c>.</summary>
public sealed class EventKitHealthCheckOptions
{
    /// <summary>Gets or sets how long the oldest runnable event may wait before the check reports unhealthy.</summary>
    /// <value>Default 5 minutes. Allowed 1 second – 7 days.</value>
    public TimeSpan MaxBacklogAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how long the processor of this instance may go without showing progress before the check reports
    /// unhealthy. Progress is a claim, a finished event, or a tick of its idle wait (at least every second), so a long
    /// handler run or a long <see cref="EventKitOptions.PollingInterval"/> is not silence; a claim loop stuck in the
    /// store is. Ignored when <see cref="EventKitOptions.EnableProcessing"/> is false.
    /// </summary>
    /// <value>Default 2 minutes. Allowed 5 seconds – 1 day.</value>
    public TimeSpan MaxProcessorSilence { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many dead letters are tolerated; above this the check reports degraded.</summary>
    /// <value>Default 0: any dead letter degrades. Allowed 0 or more.</value>
    public long DeadLetterThreshold { get; set; }
}
