namespace EventKit.EntityFramework.Internal;

/// <summary>A row of the event_logs table: one handler run.</summary>
internal sealed class EventLogEntity
{
    public Guid Id { get; set; }

    public Guid EventId { get; set; }

    public string Action { get; set; } = null!;

    public string? PerformedBy { get; set; }

    public EventLogResult Result { get; set; }

    public string? Error { get; set; }

    public int Attempt { get; set; }

    public double DurationMs { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The stored word of a result (<c>success</c> / <c>failure</c>).</summary>
    public static string ResultString(EventLogResult result) => result == EventLogResult.Success ? "success" : "failure";

    public static EventLogResult ParseResult(string value) => value == "success" ? EventLogResult.Success : EventLogResult.Failure;

    public static EventLogEntity From(EventLogEntry entry) => new()
    {
        Id = entry.Id,
        EventId = entry.EventId,
        Action = entry.Action,
        PerformedBy = entry.PerformedBy,
        Result = entry.Result,
        Error = entry.Error,
        Attempt = entry.Attempt,
        DurationMs = entry.Duration.TotalMilliseconds,
        CreatedAt = entry.CreatedAt.UtcDateTime,
    };

    public EventLogEntry ToEntry() => new()
    {
        Id = Id,
        EventId = EventId,
        Action = Action,
        PerformedBy = PerformedBy,
        Result = Result,
        Error = Error,
        Attempt = Attempt,
        Duration = TimeSpan.FromMilliseconds(DurationMs),
        CreatedAt = EventEntity.Utc(CreatedAt),
    };
}
