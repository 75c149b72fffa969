using EventKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>README "Operating EventKit": the queries page through dead letters, the actions act, retention runs on the fake clock.</summary>
public sealed class OperatingTests
{
    private readonly FakeInvoices _invoices = new();
    private readonly FakeReceiptSender _receipts = new();

    [Fact]
    public async Task Snippets_QueryActAndRunRetention()
    {
        await using var harness = EventKitHarness.Create(
            b => b.AddHandler<InvoicePaidHandler>(),
            services: s => s.AddSingleton<IInvoices>(_invoices).AddSingleton<IReceiptSender>(_receipts));
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await harness.PublishAsync(new InvoicePaid(1042 + i, 10m)));   // no such invoices: dead letters
        }

        await harness.DrainAsync();
        var since = harness.Time.GetUtcNow().AddHours(-1);

        var dead = await OperatingSnippets.QueryAsync(harness.Operations, since, since.AddHours(2));
        Assert.Equal(Enumerable.Reverse(ids), dead.Select(e => e.Id));

        _invoices.Invoices[1042] = new Invoice(1042, 10m, "billing@acme.example");
        _invoices.Invoices[1043] = new Invoice(1043, 10m, "billing@acme.example");
        _invoices.Invoices[1044] = new Invoice(1044, 10m, "billing@acme.example");
        var delayed = await harness.PublishAsync(new InvoicePaid(1042, 10m), new PublishOptions { AvailableAt = harness.Time.GetUtcNow().AddDays(1) });
        await OperatingSnippets.ActAsync(harness.Operations, ids[0], ids[1], delayed);
        await harness.DrainAsync();

        Assert.Equal(EventStatus.Completed, await harness.GetStatusAsync(ids[0]));
        Assert.Equal(EventStatus.Cancelled, await harness.GetStatusAsync(delayed));
        Assert.Empty(await harness.Operations.GetPausesAsync());

        var deleted = await OperatingSnippets.RetentionAsync(harness);
        Assert.Equal((3L, 1L), (deleted.Completed, deleted.Cancelled));
    }
}
