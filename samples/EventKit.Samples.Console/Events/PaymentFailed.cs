using EventKit;

namespace Workspace.Events;

/// <summary>An integration event: the payment provider could not collect an invoice.</summary>
[EventType("payment.failed", Entity = "invoice")]
public sealed record PaymentFailed([property: EntityId] Guid InvoiceId, string Number, Guid CompanyId, decimal Amount, string Reason);
