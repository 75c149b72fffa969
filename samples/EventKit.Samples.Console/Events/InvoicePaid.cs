using EventKit;
using Workspace.Domain;

namespace Workspace.Events;

[EventType("invoice.paid")]
public sealed record InvoicePaid(
    [property: EntityId] Guid InvoiceId,
    string Number,
    Guid CompanyId,
    string CustomerEmail,
    InvoiceKind Kind,
    decimal Total,
    DateTimeOffset PaidAt);
