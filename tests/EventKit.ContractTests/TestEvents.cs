using System.Text.Json.Serialization;

namespace EventKit.ContractTests;

[EventType("user.created", Entity = "user")]
public sealed record UserCreated([property: EntityId] Guid UserId, string Email, string Name);

[EventType("invoice.paid")]
public sealed record InvoicePaid([property: EntityId] int InvoiceId, decimal Total);

[EventType("test.event", Entity = "test")]
public sealed record TestEvent(string Data);

[EventType("task.overdue")]
public sealed record TaskOverdue([property: EntityId] string TaskId, string Title);

/// <summary>A polymorphic payload: System.Text.Json needs its <c>$type</c> first to read it back.</summary>
[EventType("shape.drawn", Entity = "shape")]
[JsonPolymorphic]
[JsonDerivedType(typeof(Circle), "circle")]
[JsonDerivedType(typeof(Square), "square")]
public abstract record Shape
{
    [EntityId]
    public required string Id { get; init; }
}

public sealed record Circle : Shape
{
    public double Radius { get; init; }
}

public sealed record Square : Shape
{
    public double Side { get; init; }
}

/// <summary>An event type ordered per entity (the account), <see cref="Seq"/> its place in the account's sequence.</summary>
[EventType("account.changed", Entity = "account", Ordered = true)]
public sealed record AccountChanged([property: EntityId] string AccountId, int Seq);
