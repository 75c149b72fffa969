using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Events;
using Workspace.Services;

namespace Workspace.Handlers;

/// <summary>Tells the company's billing contact that a payment failed.</summary>
public sealed class PaymentFailedHandler(WorkspaceDbContext db, EmailService email) : IEventHandler<PaymentFailed>
{
    public async Task HandleAsync(EventContext<PaymentFailed> context, CancellationToken cancellationToken)
    {
        var payment = context.Payload;
        var company = await db.Companies.AsNoTracking().SingleAsync(c => c.Id == payment.CompanyId, cancellationToken);

        // Retrying cannot fix missing data: fail for good now (dead letter) rather than after MaxAttempts retries.
        // Once someone sets the billing contact, the dead letter is requeued and this handler runs again.
        if (company.BillingEmail is null)
        {
            throw new NonRetryableEventException(
                $"Company '{company.Name}' has no billing contact to tell that invoice {payment.Number} could not be collected. Set one, then requeue this event.");
        }

        await email.SendAsync(
            context.Id,
            "payment-failed",
            company.BillingEmail,
            $"Payment failed for invoice {payment.Number}",
            $"We could not collect {payment.Amount:0.00} EUR for invoice {payment.Number}: {payment.Reason}. Please update your payment method.",
            cancellationToken);
    }
}
