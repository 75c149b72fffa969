namespace EventKit.EntityFramework.Internal;

/// <summary>A row of the events table. Times are UTC <see cref="DateTime"/>s: <c>timestamptz</c> on PostgreSQL, sortable text on SQLite.</summary>
internal sealed class EventEntity
{
    public Guid Id { get; set; }

    public string Type { get; set; } = null!;

    public string Entity { get; set; } = null!;

    public string EntityId { get; set; } = null!;

    public string Payload { get; set; } = null!;

    public EventStatus Status { get; set; }

    public int Attempts { get; set; }

    public int UncountedAttempts { get; set; }

    public DateTime AvailableAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? ProcessedAt { get; set; }

    public string? LockedBy { get; set; }

    public DateTime? LockedUntil { get; set; }

    public string? Actor { get; set; }

    public string? CorrelationId { get; set; }

    public string? IdempotencyKey { get; set; }

    public string? TraceParent { get; set; }

    public string? LastError { get; set; }

    public EventOrdering Ordering { get; set; }

    public static EventEntity From(EventRecord record) => new()
    {
        Id = record.Id,
        Type = record.Type,
        Entity = record.Entity,
        EntityId = record.EntityId,
        Payload = record.Payload,
        Status = record.Status,
        Attempts = record.Attempts,
        UncountedAttempts = record.UncountedAttempts,
        AvailableAt = record.AvailableAt.UtcDateTime,
        CreatedAt = record.CreatedAt.UtcDateTime,
        ProcessedAt = record.ProcessedAt?.UtcDateTime,
        LockedBy = record.LockedBy,
        LockedUntil = record.LockedUntil?.UtcDateTime,
        Actor = record.Actor,
        CorrelationId = record.CorrelationId,
        IdempotencyKey = record.IdempotencyKey,
        TraceParent = record.TraceParent,
        LastError = record.LastError,
        Ordering = record.Ordering,
    };

    public EventRecord ToRecord() => new()
    {
        Id = Id,
        Type = Type,
        Entity = Entity,
        EntityId = EntityId,
        Payload = Payload,
        Status = Status,
        Attempts = Attempts,
        UncountedAttempts = UncountedAttempts,
        AvailableAt = Utc(AvailableAt),
        CreatedAt = Utc(CreatedAt),
        ProcessedAt = ProcessedAt is { } processed ? Utc(processed) : null,
        LockedBy = LockedBy,
        LockedUntil = LockedUntil is { } locked ? Utc(locked) : null,
        Actor = Actor,
        CorrelationId = CorrelationId,
        IdempotencyKey = IdempotencyKey,
        TraceParent = TraceParent,
        LastError = LastError,
        Ordering = Ordering,
    };

    internal static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
