namespace EventKit;

/// <summary>Thresholds of <see cref="EventKitHealthCheck"/>, configured with <c>builder.AddHealthCheck(o =&gt; …)</c>.</summary>
public sealed class EventKitHealthCheckOptions
{
    /// <summary>Gets or sets how long the oldest runnable event may wait before the check reports unhealthy.</summary>
    /// <value>Default 5 minutes. Allowed 1 second – 7 days.</value>
    public TimeSpan MaxBacklogAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how long the processor loop of this instance may go without completing a cycle (a claim, or a
    /// wait that ended) before the check reports unhealthy. Ignored when <see cref="EventKitOptions.EnableProcessing"/> is false.
    /// </summary>
    /// <value>Default 2 minutes. Allowed 1 second – 1 day.</value>
    public TimeSpan MaxProcessorSilence { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets how many dead letters are tolerated; above this the check reports degraded.</summary>
    /// <value>Default 0: any dead letter degrades. Allowed 0 or more.</value>
    public long DeadLetterThreshold { get; set; }
}
