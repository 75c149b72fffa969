namespace EventKit.Docs.Tests.Ordering;

// <readme:ordering-attribute>
[EventType("invoice.paid", Entity = "invoice", Ordered = true)]
public sealed record InvoicePaid([property: EntityId] int InvoiceId, decimal Total);
// </readme:ordering-attribute>
