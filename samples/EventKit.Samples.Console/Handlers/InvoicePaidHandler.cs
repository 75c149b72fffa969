using EventKit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;
using Workspace.Services;

namespace Workspace.Handlers;

/// <summary>Sends the receipt, extends the plan when a subscription invoice is paid, and files a payment report.</summary>
public sealed class InvoicePaidHandler(
    EmailService email,
    SubscriptionService subscriptions,
    WorkspaceDbContext db,
    TimeProvider time,
    ILogger<InvoicePaidHandler> logger) : IEventHandler<InvoicePaid>
{
    public async Task HandleAsync(EventContext<InvoicePaid> context, CancellationToken cancellationToken)
    {
        var invoice = context.Payload;
        await email.SendAsync(
            context.Id,
            "receipt",
            invoice.CustomerEmail,
            $"Receipt for invoice {invoice.Number}",
            $"We received your payment of {invoice.Total:0.00} EUR. Thank you!",
            cancellationToken);

        if (invoice.Kind == InvoiceKind.Subscription)
        {
            await subscriptions.ExtendAsync(context.Id, invoice.CompanyId, months: 1, cancellationToken);
        }

        await GeneratePaymentReportAsync(context.Id, invoice, cancellationToken);
    }

    private async Task GeneratePaymentReportAsync(Guid eventId, InvoicePaid invoice, CancellationToken cancellationToken)
    {
        if (await db.PaymentReports.AnyAsync(r => r.EventId == eventId, cancellationToken))
        {
            return;
        }

        db.PaymentReports.Add(new PaymentReport
        {
            EventId = eventId,
            InvoiceId = invoice.InvoiceId,
            InvoiceNumber = invoice.Number,
            CompanyId = invoice.CompanyId,
            Amount = invoice.Total,
            Kind = invoice.Kind,
            GeneratedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        Log.PaymentReportFiled(logger, invoice.Number, invoice.Kind, invoice.Total);
    }
}
