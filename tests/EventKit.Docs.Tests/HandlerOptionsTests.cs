using EventKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>Runs the README's "Handler options" registration: the handler is named in the log and keeps its own limits.</summary>
public sealed class HandlerOptionsTests
{
    [Fact]
    public async Task RegisteredHandler_RunsUnderItsOwnName_AndRetriesWithItsOwnBackoff()
    {
        var receipts = new FakeReceiptSender { FailuresLeft = 1 };
        var invoices = new FakeInvoices();
        invoices.Invoices[5] = new Invoice(5, 20m, "ana@example.com");
        var services = new ServiceCollection();
        services.AddSingleton<IInvoices>(invoices).AddSingleton<IReceiptSender>(receipts);
        HandlerOptionsSnippets.Register(services);
        await using var harness = EventKitHarness.Create(services);

        var id = await harness.PublishAsync(new InvoicePaid(5, 20m));
        await harness.DrainAsync();
        var failed = (await harness.GetEventAsync(id)).Event;
        Assert.InRange(failed.AvailableAt - harness.Time.GetUtcNow(), TimeSpan.FromSeconds(24), TimeSpan.FromSeconds(36));

        await harness.DrainUntilIdleAsync();
        await harness.EnsureCompletedAsync(id);
        Assert.All((await harness.GetEventAsync(id)).Log, l => Assert.Equal("invoice-receipt", l.Handler));
    }
}
