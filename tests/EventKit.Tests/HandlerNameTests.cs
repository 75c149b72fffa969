using EventKit.ContractTests;
using FluentAssertions;
using Xunit;

namespace EventKit.Tests;

/// <summary>README: a class may handle several event types; its Name is its identity in the event log.</summary>
public sealed class HandlerNameTests
{
    [Fact]
    public async Task OneClassForTwoEventTypes_WithOneCustomName_RunsForBoth_UnderThatName()
    {
        await using var app = TestApp.Create(b => b.UseInMemoryStore(), handlers: b => b.AddHandler<BillingHandler>(o => o.Name = "billing"));
        var invoice = await app.PublishAsync(new InvoicePaid(7, 10m));
        var task = await app.PublishAsync(new TaskOverdue("t-1", "Late"));

        await app.DrainAsync();

        app.Probe.CountCalls(nameof(BillingHandler)).Should().Be(2);
        (await app.GetLogAsync(invoice)).Should().ContainSingle().Which.Handler.Should().Be("billing");
        (await app.GetLogAsync(task)).Should().ContainSingle().Which.Handler.Should().Be("billing");
    }
}
