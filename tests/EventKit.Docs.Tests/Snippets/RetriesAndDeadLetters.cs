namespace EventKit.Docs.Tests;

// README "Retries and dead letters": a handler that dead-letters what cannot succeed. RetriesAndOperationsTests runs it.

// <readme:retries-handler>
public sealed class InvoicePaidHandler(IInvoices invoices, IReceiptSender receipts) : IEventHandler<InvoicePaid>
{
    public async Task HandleAsync(EventContext<InvoicePaid> context, CancellationToken cancellationToken)
    {
        var invoice = await invoices.FindAsync(context.Payload.InvoiceId, cancellationToken)
            ?? throw new NonRetryableEventException($"Invoice {context.Payload.InvoiceId} does not exist.");
        await receipts.SendAsync(invoice, cancellationToken);   // any other exception is retried with backoff
    }
}
// </readme:retries-handler>
