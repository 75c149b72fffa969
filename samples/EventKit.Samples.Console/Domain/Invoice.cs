namespace Workspace.Domain;

public sealed class Invoice
{
    public Guid Id { get; set; }

    public Guid CompanyId { get; set; }

    public string Number { get; set; } = "";

    public InvoiceKind Kind { get; set; }

    public decimal Total { get; set; }

    public string CustomerEmail { get; set; } = "";

    public InvoiceStatus Status { get; set; }

    public DateTimeOffset? PaidAt { get; set; }
}
