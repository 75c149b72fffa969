using System.Net;
using FluentAssertions;

namespace EventKit.Dashboard.Tests.Endpoints;

public sealed class PagesTests
{
    public static readonly TheoryData<string> Pages = new()
    {
        "/",
        "/?range=day",
        "/events",
        "/events?status=dead_letter&order=oldest",
        "/events?status=cancelled",
        "/events?type=type.3&entity=order",
        "/dead-letters",
        "/types",
        "/types?type=type.3",
        "/bulk?op=requeue&status=dead_letter",
        "/bulk?op=purge&status=dead_letter",
        "/bulk?op=requeue&status=dead_letter&type=type.3",
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_EmptyStore_Renders(string path)
    {
        await using var host = await DashboardHost.StartAsync();

        var page = await host.PageAsync(DashboardHost.Base + path);

        page.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Document.QuerySelector("h1").Should().NotBeNull();
        page.Document.QuerySelector("footer")!.TextContent.Should().Contain("2026-11-30 12:00:00Z", "times come from the application's TimeProvider");
        page.ShouldHaveNoActiveContentButOurs();
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_LargeStore_Renders(string path)
    {
        await using var host = await DashboardHost.StartAsync();
        await SeedLargeAsync(host);

        var page = await host.PageAsync(DashboardHost.Base + path);

        page.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        page.ShouldHaveNoActiveContentButOurs();
        page.Html.Length.Should().BeLessThan(2_000_000, "pages are paged or grouped, not dumps");
    }

    [Fact]
    public async Task Overview_LargeStore_ShowsCountsPerStatusAndTypes()
    {
        await using var host = await DashboardHost.StartAsync();
        await SeedLargeAsync(host);

        var page = await host.PageAsync(DashboardHost.Base + "/");

        page.Document.QuerySelector("[data-status=dead_letter]")!.TextContent.Should().Be("2,000");
        page.Document.QuerySelector("[data-status=completed]")!.TextContent.Should().Be("3,000");
        page.Document.QuerySelector("[data-status=pending]")!.TextContent.Should().Be("500");
        page.Document.QuerySelector("[data-metric=oldest-runnable]")!.TextContent.Should().Be("5 min 0 s");
        page.Document.QuerySelectorAll("table.types tbody tr").Should().HaveCount(20);
        page.Document.QuerySelector("svg.columns").Should().NotBeNull();
    }

    [Fact]
    public async Task DeadLetters_AreGroupedByTypeAndLastError()
    {
        await using var host = await DashboardHost.StartAsync();
        await SeedLargeAsync(host);

        var page = await host.PageAsync(DashboardHost.Base + "/dead-letters");

        var rows = page.Document.QuerySelectorAll("#groups-dead_letter tbody tr");
        rows.Should().HaveCount(40, "20 types × 2 errors");
        rows[0].QuerySelector(".error-line")!.TextContent.Should().StartWith("System.");
        rows.Sum(r => int.Parse(r.QuerySelector("td.num")!.TextContent.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture)).Should().Be(2000);
    }

    [Theory]
    [InlineData("status=dead_letter&type=type.3&order=oldest", 100)]
    [InlineData("type=type.3", 250)]
    public async Task Events_FilterAndKeysetPaging_VisitEveryMatchOnce(string query, int matches)
    {
        await using var host = await DashboardHost.StartAsync();
        await SeedLargeAsync(host);
        var seen = new List<string>();
        var path = $"{DashboardHost.Base}/events?{query}";

        while (path is not null)
        {
            var page = await host.PageAsync(path);
            page.Response.StatusCode.Should().Be(HttpStatusCode.OK);
            var rows = page.Document.QuerySelectorAll("#events tbody tr");
            rows.Should().OnlyContain(r => r.QuerySelector("code")!.TextContent == "type.3");
            seen.AddRange(rows.Select(r => r.GetAttribute("data-event-id")!));
            path = page.Document.QuerySelector("#next-page")?.GetAttribute("href")!;
        }

        seen.Should().HaveCount(matches).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Events_SortByTime_BothWays()
    {
        await using var host = await DashboardHost.StartAsync();
        var older = await host.Seed.DeadLetterAsync(host.Seed.NewEvent(age: TimeSpan.FromHours(2)));
        var newer = await host.Seed.DeadLetterAsync(host.Seed.NewEvent(age: TimeSpan.FromMinutes(1)));

        var newest = await host.PageAsync($"{DashboardHost.Base}/events?status=dead_letter");
        var oldest = await host.PageAsync($"{DashboardHost.Base}/events?status=dead_letter&order=oldest");

        newest.Document.QuerySelectorAll("#events tbody tr").Select(r => r.GetAttribute("data-event-id")).Should().Equal(newer.ToString(), older.ToString());
        oldest.Document.QuerySelectorAll("#events tbody tr").Select(r => r.GetAttribute("data-event-id")).Should().Equal(older.ToString(), newer.ToString());
    }

    [Fact]
    public async Task Events_FilterByEntityIdAndCreatedRange()
    {
        await using var host = await DashboardHost.StartAsync();
        var match = await host.Seed.DeadLetterAsync(host.Seed.NewEvent(entity: "invoice", entityId: "INV-7", age: TimeSpan.FromMinutes(30)));
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent(entity: "invoice", entityId: "INV-7", age: TimeSpan.FromHours(3)));
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent(entity: "invoice", entityId: "INV-8", age: TimeSpan.FromMinutes(30)));

        var page = await host.PageAsync($"{DashboardHost.Base}/events?status=dead_letter&entity=invoice&entityId=INV-7&from=2026-11-30T11:00&to=2026-11-30T12:00");

        page.Document.QuerySelectorAll("#events tbody tr").Select(r => r.GetAttribute("data-event-id")).Should().Equal(match.ToString());
    }

    [Fact]
    public async Task EventDetail_ShowsFieldsPrettyPayloadAndTimeline()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent(payload: new { Total = 12.5m, Lines = new[] { 1, 2 } }), "System.TimeoutException: slow\n   at Gateway.Send()\n   at Handler.Run()");

        var page = await host.PageAsync($"{DashboardHost.Base}/events/{id}");

        page.Document.QuerySelector("pre.payload")!.TextContent.Should().Be("{\n  \"Total\": 12.5,\n  \"Lines\": [\n    1,\n    2\n  ]\n}");
        var entry = page.Document.QuerySelector("ol.timeline li.result-failure")!;
        entry.QuerySelector("details.error summary")!.TextContent.Should().Be("System.TimeoutException: slow");
        entry.QuerySelector("details.error")!.HasAttribute("open").Should().BeFalse("the stack trace is folded");
        entry.QuerySelector("details.error pre")!.TextContent.Should().Contain("at Handler.Run()");
        page.Document.QuerySelectorAll("dl.fields dt").Select(d => d.TextContent).Should().Contain(["Id", "Status", "Entity", "Attempts", "Created"]);
        page.Form("/requeue").Should().NotBeNull();
    }

    /// <summary>2,000 dead letters (20 types × 2 errors), 3,000 completed, 500 pending.</summary>
    private static async Task SeedLargeAsync(DashboardHost host)
    {
        var seed = host.Seed;
        for (var type = 0; type < 20; type++)
        {
            var dead = Enumerable.Range(0, 100).Select(i => seed.NewEvent($"type.{type}", age: TimeSpan.FromMinutes(5 + i))).ToList();
            await seed.SettledAsync(EventStatus.DeadLetter, dead[..50], "System.InvalidOperationException: boom\n   at X.Y()");
            await seed.SettledAsync(EventStatus.DeadLetter, dead[50..], "System.TimeoutException: slow\n   at X.Z()");
            await seed.SettledAsync(EventStatus.Completed, Enumerable.Range(0, 150).Select(_ => seed.NewEvent($"type.{type}")).ToList());
        }

        foreach (var record in Enumerable.Range(0, 500).Select(_ => seed.NewEvent("type.0")))
        {
            await seed.PendingAsync(record);
        }
    }
}
