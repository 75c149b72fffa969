using EventKit;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class CreateInvoiceUseCase(WorkspaceDbContext db, IEventPublisher publisher)
{
    public async Task<Invoice> ExecuteAsync(Guid companyId, string number, InvoiceKind kind, decimal total, string customerEmail, CancellationToken cancellationToken = default)
    {
        var invoice = new Invoice
        {
            Id = Guid.CreateVersion7(),
            CompanyId = companyId,
            Number = number,
            Kind = kind,
            Total = total,
            CustomerEmail = customerEmail,
            Status = InvoiceStatus.Open,
        };
        db.Invoices.Add(invoice);
        await publisher.PublishAsync(new InvoiceCreated(invoice.Id, number, companyId, kind, total), cancellationToken: cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return invoice;
    }
}
