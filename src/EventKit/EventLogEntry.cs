namespace EventKit;

/// <summary>One handler execution: a row of the <c>event_logs</c> table.</summary>
public sealed class EventLogEntry
{
    /// <summary>Gets the log entry id (a version 7 GUID).</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the id of the event the handler ran for.</summary>
    public required Guid EventId { get; init; }

    /// <summary>Gets the handler name (the design's <c>action</c>).</summary>
    public required string Action { get; init; }

    /// <summary>Gets the event's actor (the design's <c>performedBy</c>), if any.</summary>
    public string? PerformedBy { get; init; }

    /// <summary>Gets whether the handler succeeded.</summary>
    public required EventLogResult Result { get; init; }

    /// <summary>Gets the error text for a failure, bounded to <see cref="MaxErrorLength"/> characters.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the attempt number (1-based) this execution belonged to.</summary>
    public required int Attempt { get; init; }

    /// <summary>Gets how long the handler ran.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Gets the UTC time the execution finished.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The maximum length of <see cref="Error"/> and <see cref="EventRecord.LastError"/>: 2000 characters.</summary>
    public const int MaxErrorLength = 2000;
}
