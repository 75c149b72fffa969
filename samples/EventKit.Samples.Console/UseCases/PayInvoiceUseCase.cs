using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

/// <summary>Records a payment reported by the payment provider.</summary>
public sealed class PayInvoiceUseCase(WorkspaceDbContext db, IEventPublisher publisher, TimeProvider time)
{
    public async Task ExecuteAsync(Guid invoiceId, CancellationToken cancellationToken = default)
    {
        var invoice = await db.Invoices.SingleOrDefaultAsync(i => i.Id == invoiceId, cancellationToken)
            ?? throw new KeyNotFoundException($"No invoice with id {invoiceId}.");
        if (invoice.Status == InvoiceStatus.Paid)
        {
            return; // providers resend webhooks; a second report of the same payment changes nothing
        }

        invoice.Status = InvoiceStatus.Paid;
        invoice.PaidAt = time.GetUtcNow();
        await publisher.PublishAsync(
            new InvoicePaid(invoice.Id, invoice.Number, invoice.CompanyId, invoice.CustomerEmail, invoice.Kind, invoice.Total, invoice.PaidAt.Value),
            new PublishOptions { Actor = "payment-provider" },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
