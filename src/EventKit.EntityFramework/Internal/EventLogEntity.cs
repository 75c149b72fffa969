namespace EventKit.EntityFramework.Internal;

/// <summary>A row of the event_logs table: one handler run or operator action.</summary>
internal sealed class EventLogEntity
{
    public Guid Id { get; set; }

    public Guid EventId { get; set; }

    public EventLogKind Kind { get; set; }

    public string Action { get; set; } = null!;

    public string? PerformedBy { get; set; }

    public EventLogResult Result { get; set; }

    public string? Error { get; set; }

    public string? Reason { get; set; }

    public int Attempt { get; set; }

    public double DurationMs { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The stored word of a result (<c>success</c> / <c>failure</c> / <c>interrupted</c>).</summary>
    public static string ResultString(EventLogResult result) => result switch
    {
        EventLogResult.Success => "success",
        EventLogResult.Interrupted => "interrupted",
        _ => "failure",
    };

    public static EventLogResult ParseResult(string value) => value switch
    {
        "success" => EventLogResult.Success,
        "interrupted" => EventLogResult.Interrupted,
        _ => EventLogResult.Failure,
    };

    /// <summary>The stored word of a kind (<c>handler_run</c> / <c>requeue</c> / <c>replay</c> / <c>cancel</c>).</summary>
    public static string KindString(EventLogKind kind) => kind switch
    {
        EventLogKind.Requeue => "requeue",
        EventLogKind.Replay => "replay",
        EventLogKind.Cancel => "cancel",
        _ => "handler_run",
    };

    public static EventLogKind ParseKind(string value) => value switch
    {
        "requeue" => EventLogKind.Requeue,
        "replay" => EventLogKind.Replay,
        "cancel" => EventLogKind.Cancel,
        _ => EventLogKind.HandlerRun,
    };

    public static EventLogEntity From(EventLogEntry entry) => new()
    {
        Id = entry.Id,
        EventId = entry.EventId,
        Kind = entry.Kind,
        Action = entry.Handler,
        PerformedBy = entry.Actor,
        Result = entry.Result,
        Error = entry.Error,
        Reason = entry.Reason,
        Attempt = entry.Attempt,
        DurationMs = entry.Duration.TotalMilliseconds,
        CreatedAt = entry.CreatedAt.UtcDateTime,
    };

    public EventLogEntry ToEntry() => new()
    {
        Id = Id,
        EventId = EventId,
        Kind = Kind,
        Handler = Action,
        Actor = PerformedBy,
        Result = Result,
        Error = Error,
        Reason = Reason,
        Attempt = Attempt,
        Duration = TimeSpan.FromMilliseconds(DurationMs),
        CreatedAt = EventEntity.Utc(CreatedAt),
    };
}
