namespace EventKit;

/// <summary>Names the event type a payload class or record represents, for typed publishing and handler registration.</summary>
/// <example><code>[EventType("user.created", Entity = "user")]
/// public sealed record UserCreated([property: EntityId] Guid UserId, string Email, string Name);
///
/// [EventType("invoice.paid", Entity = "invoice", Ordered = true)]
/// public sealed record InvoicePaid([property: EntityId] int InvoiceId, decimal Total);</code></example>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class EventTypeAttribute : Attribute
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="name">The event type name: at most 200 characters matching <c>^[a-z0-9]+([._-][a-z0-9]+)*$</c>.</param>
    public EventTypeAttribute(string name) => Name = name;

    /// <summary>Gets the event type name, for example <c>user.created</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Gets or sets the kind of entity, for example <c>user</c>. When not set, the part of <see cref="Name"/> before
    /// its first dot is used (<c>user.created</c> → <c>user</c>).
    /// </summary>
    public string? Entity { get; set; }

    /// <summary>
    /// Gets or sets whether events of this type are handled in order per entity: one at a time per
    /// (<see cref="Entity"/>, entity id), in publish order (<see cref="EventRecord.CreatedAt"/>, then id), across every
    /// processor and instance, while other entities proceed in parallel. A failed event holds back the later ordered
    /// events of its entity (of any type) until it completes, or is dead-lettered and
    /// <see cref="EventKitOptions.OrderedDeadLetters"/> lets them go on. See <see cref="EventOrdering"/>.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool Ordered { get; set; }
}
