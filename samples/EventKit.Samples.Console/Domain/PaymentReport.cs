namespace Workspace.Domain;

/// <summary>One row per paid invoice (the <c>payment_reports</c> table), for finance. Unique per event.</summary>
public sealed class PaymentReport
{
    public long Id { get; set; }

    public Guid EventId { get; set; }

    public Guid InvoiceId { get; set; }

    public string InvoiceNumber { get; set; } = "";

    public Guid CompanyId { get; set; }

    public decimal Amount { get; set; }

    public InvoiceKind Kind { get; set; }

    public DateTimeOffset GeneratedAt { get; set; }
}
