namespace EventKit.EntityFramework.Internal;

/// <summary>A row of the processors table: one running processor's heartbeat (<see cref="EventProcessorInfo"/>).</summary>
internal sealed class EventProcessorEntity
{
    public string Id { get; set; } = null!;

    public string Host { get; set; } = null!;

    public DateTime StartedAt { get; set; }

    public DateTime LastSeenAt { get; set; }

    public int InFlight { get; set; }

    public EventProcessorInfo ToInfo() => new()
    {
        Id = Id,
        Host = Host,
        StartedAt = EventEntity.Utc(StartedAt),
        LastSeenAt = EventEntity.Utc(LastSeenAt),
        InFlight = InFlight,
    };
}
