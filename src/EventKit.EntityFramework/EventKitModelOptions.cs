namespace EventKit.EntityFramework;

/// <summary>How <c>modelBuilder.AddEventKit()</c> maps EventKit's tables into your model.</summary>
public sealed class EventKitModelOptions
{
    /// <summary>Gets or sets the schema of both tables, or <see langword="null"/> for the model's default schema.</summary>
    /// <value>Default <see langword="null"/>. Letters, digits and underscores, starting with a letter or underscore, at most 63 characters.</value>
    public string? Schema { get; set; }

    /// <summary>Gets or sets the name of the events table.</summary>
    /// <value>Default <c>events</c>. Same rule as <see cref="Schema"/>.</value>
    public string EventsTable { get; set; } = "events";

    /// <summary>Gets or sets the name of the handler log table.</summary>
    /// <value>Default <c>event_logs</c>. Same rule as <see cref="Schema"/>.</value>
    public string EventLogsTable { get; set; } = "event_logs";

    /// <summary>
    /// Gets or sets the column type of the payload, or <see langword="null"/> to choose by provider:
    /// <c>jsonb</c> on PostgreSQL, the provider's text type elsewhere.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? PayloadColumnType { get; set; }
}
