namespace EventKit.EntityFramework;

/// <summary>How <c>modelBuilder.AddEventKit()</c> maps EventKit's tables into your model.</summary>
/// <remarks>
/// The keys, indexes and foreign key are named after the tables: <c>pk_{table}</c> for every table;
/// <c>ix_{events}_runnable</c>, <c>ix_{events}_status_processed_at</c>, <c>ix_{events}_created_at_type</c>,
/// <c>ix_{events}_status_created_at</c>, <c>ix_{events}_type_created_at</c>, <c>ix_{events}_entity_created_at</c> and
/// <c>ux_{events}_idempotency_key</c>; <c>fk_{logs}_{events}_event_id</c>, <c>ix_{logs}_event_id</c>,
/// <c>ix_{logs}_performed_by</c> and <c>ix_{logs}_created_at</c>. A name longer than 63 characters (PostgreSQL's limit, which it would otherwise
/// apply by silently cutting the name, so that two indexes could get the same name) keeps its prefix and suffix, the
/// table part is shortened, and <c>_</c> plus the first 8 hex digits of the SHA-256 of the full name is inserted
/// before the suffix: every name fits and stays distinct, and is the same on every run, so migrations keep it. Any
/// valid table name therefore works, up to the full 63 characters.
/// </remarks>
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
    /// Gets or sets the name of the table of paused event types (<see cref="IEventOperations.PauseAsync"/>): one row per
    /// paused type, read by every claim.
    /// </summary>
    /// <value>Default <c>event_type_pauses</c>. Same rule as <see cref="Schema"/>.</value>
    public string PausesTable { get; set; } = "event_type_pauses";

    /// <summary>
    /// Gets or sets the name of the table of processor heartbeats (<see cref="IEventOperations.GetProcessorsAsync"/>): one
    /// row per running processor, written every <see cref="EventKitOptions.ProcessorHeartbeatInterval"/>.
    /// </summary>
    /// <value>Default <c>event_processors</c>. Same rule as <see cref="Schema"/>.</value>
    public string ProcessorsTable { get; set; } = "event_processors";

    /// <summary>
    /// Gets or sets the column type of the payload, or <see langword="null"/> to choose by provider:
    /// <c>json</c> on PostgreSQL, the provider's text type (<c>TEXT</c>) on SQLite.
    /// </summary>
    /// <remarks>
    /// The payload is the JSON text the publisher's serializer wrote, and it must come back exactly: PostgreSQL's
    /// <c>json</c> checks the syntax and stores the text as written (key order, whitespace, every escape, including
    /// <c>\u0000</c>). <c>jsonb</c> is refused (<see cref="ArgumentException"/> from <c>AddEventKit</c>): it reorders
    /// keys, so System.Text.Json could no longer read a polymorphic payload, whose <c>$type</c> must come first, and it
    /// rejects <c>\u0000</c>, which System.Text.Json writes for a NUL character in a string. To query payloads with
    /// jsonb operators, cast: <c>payload::jsonb</c>.
    /// </remarks>
    /// <value>Default <see langword="null"/>. Not blank, not <c>jsonb</c>.</value>
    public string? PayloadColumnType { get; set; }
}
