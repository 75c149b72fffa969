namespace EventKit.EntityFramework.Internal;

/// <summary>A row of the event type pauses table: a paused event type (<see cref="EventTypePause"/>).</summary>
internal sealed class EventTypePauseEntity
{
    public string Type { get; set; } = null!;

    public string PausedBy { get; set; } = null!;

    public string Reason { get; set; } = null!;

    public DateTime PausedAt { get; set; }

    public EventTypePause ToPause() => new() { Type = Type, Actor = PausedBy, Reason = Reason, PausedAt = EventEntity.Utc(PausedAt) };
}
