using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

/// <summary>Records a failed collection reported by the payment provider.</summary>
public sealed class RecordPaymentFailureUseCase(WorkspaceDbContext db, IEventPublisher publisher)
{
    public async Task ExecuteAsync(Guid invoiceId, string reason, CancellationToken cancellationToken = default)
    {
        var invoice = await db.Invoices.SingleOrDefaultAsync(i => i.Id == invoiceId, cancellationToken)
            ?? throw new KeyNotFoundException($"No invoice with id {invoiceId}.");
        if (invoice.Status == InvoiceStatus.Paid)
        {
            return; // a failure reported after the payment succeeded (a late or resent webhook) changes nothing
        }

        invoice.Status = InvoiceStatus.PaymentFailed;
        await publisher.PublishAsync(
            new PaymentFailed(invoice.Id, invoice.Number, invoice.CompanyId, invoice.Total, reason),
            new PublishOptions { Actor = "payment-provider" },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
