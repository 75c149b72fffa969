using System.Net;
using FluentAssertions;

namespace EventKit.Dashboard.Tests.Endpoints;

public sealed class EncodingTests
{
    public const string Script = "<script>alert('xss')</script>";
    public const string Attribute = "\"><img src=x onerror=alert(1)>";
    public const string Hostile = Script + Attribute;

    /// <summary>An event whose every text an attacker may control holds markup: type, entity, id, payload, error, handler.</summary>
    public static async Task<Guid> SeedHostileAsync(DashboardHost host) =>
        (await host.Seed.SettledAsync(
            EventStatus.DeadLetter,
            [host.Seed.NewEvent(type: "evil" + Hostile, payload: new { Note = Hostile, Html = "<b>bold</b>" }, entity: "e" + Attribute, entityId: Script)],
            error: "System.Exception: " + Hostile + "\n   at Evil.Handler" + Script,
            handler: "Handler" + Hostile))[0];

    [Theory]
    [InlineData("/")]
    [InlineData("/events?status=dead_letter")]
    [InlineData("/events/{id}")]
    [InlineData("/dead-letters")]
    [InlineData("/types")]
    [InlineData("/types?type=evil" + "%3Cscript%3Ealert('xss')%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")]
    public async Task Page_HostileEvent_RendersAsTextOnly(string path)
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await SeedHostileAsync(host);

        var page = await host.PageAsync(DashboardHost.Base + path.Replace("{id}", id.ToString()));

        page.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        page.ShouldHaveNoActiveContentButOurs();
        page.Html.Should().NotContain("<script>alert").And.NotContain("<img");
        page.Document.Body!.TextContent.Should().Contain("<script>alert('xss')</script>", "the text is shown as the attacker wrote it");
    }

    [Fact]
    public async Task EventPage_HostileEvent_ShowsEveryFieldVerbatim()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await SeedHostileAsync(host);

        var page = await host.PageAsync($"{DashboardHost.Base}/events/{id}");

        page.Document.QuerySelector("h1 code")!.TextContent.Should().Be("evil" + Hostile);
        page.Document.QuerySelector("pre.payload")!.TextContent.Should().Contain(Hostile.Replace("\"", "\\\"")).And.Contain("<b>bold</b>");
        page.Document.QuerySelector("ol.timeline code.action")!.TextContent.Should().Be("Handler" + Hostile);
        page.Document.QuerySelector("ol.timeline details.error pre")!.TextContent.Should().Contain("at Evil.Handler" + Script);
    }

    [Fact]
    public async Task OperatorEntries_HostileReasonAndUser_RenderAsText()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await SeedHostileAsync(host);
        const string user = "mallory" + Script;

        await host.SubmitAsync($"{DashboardHost.Base}/events/{id}", "/requeue", user, ("reason", Hostile));
        await host.SubmitAsync($"{DashboardHost.Base}/types?type=order.placed", "/types/pause", user, ("reason", Hostile));
        var eventPage = await host.PageAsync($"{DashboardHost.Base}/events/{id}");
        var typesPage = await host.PageAsync($"{DashboardHost.Base}/types");

        foreach (var page in new[] { eventPage, typesPage })
        {
            page.ShouldHaveNoActiveContentButOurs();
            page.Html.Should().NotContain("<script>alert").And.NotContain("<img");
        }

        eventPage.Document.QuerySelector("ol.timeline li.operator .reason")!.TextContent.Should().Be(Hostile);
        eventPage.Document.QuerySelector("ol.timeline li.operator .performed-by")!.TextContent.Should().Be(user);
        typesPage.Document.QuerySelector("section.type .pause-reason")!.TextContent.Should().Be(Hostile);
    }

    [Fact]
    public async Task FilterForm_HostileQuery_IsEchoedAsAttributeText()
    {
        await using var host = await DashboardHost.StartAsync();

        var page = await host.PageAsync($"{DashboardHost.Base}/events?status=dead_letter&type={Uri.EscapeDataString(Hostile)}&entityId={Uri.EscapeDataString(Attribute)}");

        page.ShouldHaveNoActiveContentButOurs();
        page.Document.QuerySelector("#filter-type")!.GetAttribute("value").Should().Be(Hostile);
        page.Document.QuerySelector("#filter-entity-id")!.GetAttribute("value").Should().Be(Attribute);
    }

    /// <summary>An event id, and a type the operations API refuses in a filter (not a valid type name): 400, the input as text.</summary>
    [Theory]
    [InlineData("/events?id=")]
    [InlineData("/bulk?op=requeue&status=dead_letter&type=")]
    public async Task ErrorPage_HostileInput_IsEncoded(string path)
    {
        await using var host = await DashboardHost.StartAsync();

        var page = await host.PageAsync($"{DashboardHost.Base}{path}{Uri.EscapeDataString(Hostile)}");

        page.Response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        page.ShouldHaveNoActiveContentButOurs();
        page.Document.QuerySelector(".message")!.TextContent.Should().Contain(Hostile);
    }
}
