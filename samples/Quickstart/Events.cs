using EventKit;

namespace Quickstart;

/// <summary>Published when a user signs up.</summary>
[EventType("user.created", Entity = "user")]
public sealed record UserCreated([property: EntityId] Guid UserId, string Email, string Name);

/// <summary>Published when an invoice is paid.</summary>
[EventType("invoice.paid")]
public sealed record InvoicePaid([property: EntityId] int InvoiceId, decimal Total, string Type);
