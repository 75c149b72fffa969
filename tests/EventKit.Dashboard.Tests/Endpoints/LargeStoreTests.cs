using EventKit.Dashboard.Internal.Data;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>
/// The pages on a store whose aggregates are slow to compute (simulated by a policy that keeps every aggregate): they
/// are served from memory, and the page says as of when.
/// </summary>
public sealed class LargeStoreTests
{
    private static readonly AggregatePolicy KeepEverything = new(TimeSpan.Zero, TimeSpan.FromSeconds(10), 20, TimeSpan.FromMinutes(15)) { WarmUp = false };

    [Fact]
    public async Task AggregatePages_SlowStore_ShowTheKeptNumbers_WithTheirTime()
    {
        await using var host = await DashboardHost.StartAsync(services: s => s.AddSingleton(KeepEverything));
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent("invoice.paid"), "boom");
        var live = await host.PageAsync($"{DashboardHost.Base}/");
        await host.PageAsync($"{DashboardHost.Base}/dead-letters");
        await host.PageAsync($"{DashboardHost.Base}/types");
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent("invoice.paid"), "boom");
        host.Time.Advance(TimeSpan.FromSeconds(5));

        var overview = await host.PageAsync($"{DashboardHost.Base}/");
        var deadLetters = await host.PageAsync($"{DashboardHost.Base}/dead-letters");
        var types = await host.PageAsync($"{DashboardHost.Base}/types");

        live.Document.QuerySelector("[data-status=dead_letter]")!.TextContent.Should().Be("1");
        live.Document.QuerySelectorAll(".as-of").Should().BeEmpty("the first request computed the numbers itself");
        overview.Document.QuerySelector("[data-status=dead_letter]")!.TextContent.Should().Be("1", "the kept count is served until it is refreshed");
        overview.Document.QuerySelector(".as-of")!.TextContent.Should().Contain("As of 2026-11-30 12:00:00Z");
        deadLetters.Document.QuerySelector("#groups-dead_letter td.num")!.TextContent.Should().Be("1");
        deadLetters.Document.QuerySelectorAll(".as-of").Should().NotBeEmpty();
        types.Document.QuerySelectorAll(".as-of").Should().NotBeEmpty();
    }

    [Fact]
    public async Task AggregatePages_FastStore_AreLive()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent("invoice.paid"), "boom");
        await host.PageAsync($"{DashboardHost.Base}/");
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent("invoice.paid"), "boom");

        var overview = await host.PageAsync($"{DashboardHost.Base}/");

        overview.Document.QuerySelector("[data-status=dead_letter]")!.TextContent.Should().Be("2");
        overview.Document.QuerySelectorAll(".as-of").Should().BeEmpty();
    }
}
