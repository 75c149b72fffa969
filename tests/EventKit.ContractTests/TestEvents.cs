namespace EventKit.ContractTests;

[EventType("user.created", Entity = "user")]
public sealed record UserCreated([property: EntityId] Guid UserId, string Email, string Name);

[EventType("invoice.paid")]
public sealed record InvoicePaid([property: EntityId] int InvoiceId, decimal Total);

[EventType("test.event", Entity = "test")]
public sealed record TestEvent(string Data);

[EventType("task.overdue")]
public sealed record TaskOverdue([property: EntityId] string TaskId, string Title);
