namespace Workspace.Domain;

public enum InvoiceStatus
{
    Open,
    Paid,
    PaymentFailed,
}
