namespace EventKit;

/// <summary>The event a handler is invoked for, with its deserialized payload.</summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
public sealed class EventContext<TPayload>
{
    internal EventContext(EventRecord record, TPayload payload)
    {
        Id = record.Id;
        Type = record.Type;
        Entity = record.Entity;
        EntityId = record.EntityId;
        Payload = payload;
        CreatedAt = record.CreatedAt;
        Attempt = record.Attempts;
        Actor = record.Actor;
        CorrelationId = record.CorrelationId;
    }

    /// <summary>Gets the event id; a good key for making side effects idempotent.</summary>
    public Guid Id { get; }

    /// <summary>Gets the event type name.</summary>
    public string Type { get; }

    /// <summary>Gets the kind of entity.</summary>
    public string Entity { get; }

    /// <summary>Gets the entity id.</summary>
    public string EntityId { get; }

    /// <summary>Gets the deserialized payload.</summary>
    public TPayload Payload { get; }

    /// <summary>Gets the UTC time the event was published.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Gets the attempt number, starting at 1.</summary>
    public int Attempt { get; }

    /// <summary>Gets who caused the event, if known.</summary>
    public string? Actor { get; }

    /// <summary>Gets the correlation id given at publish, if any.</summary>
    public string? CorrelationId { get; }
}
