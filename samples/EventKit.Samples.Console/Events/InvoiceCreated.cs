using EventKit;
using Workspace.Domain;

namespace Workspace.Events;

[EventType("invoice.created")]
public sealed record InvoiceCreated([property: EntityId] Guid InvoiceId, string Number, Guid CompanyId, InvoiceKind Kind, decimal Total);
