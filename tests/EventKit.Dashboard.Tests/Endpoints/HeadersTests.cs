using System.Net;
using FluentAssertions;

namespace EventKit.Dashboard.Tests.Endpoints;

public sealed class HeadersTests
{
    [Theory]
    [InlineData("/", null, HttpStatusCode.OK)]
    [InlineData("/events", null, HttpStatusCode.OK)]
    [InlineData("/dead-letters", null, HttpStatusCode.OK)]
    [InlineData("/types", null, HttpStatusCode.OK)]
    [InlineData("/events/00000000-0000-0000-0000-000000000001", null, HttpStatusCode.NotFound)]
    [InlineData("/events?id=x", null, HttpStatusCode.BadRequest)]
    [InlineData("/", "203.0.113.7", HttpStatusCode.Forbidden)]
    [InlineData("/assets/dashboard.js", null, HttpStatusCode.OK)]
    [InlineData("/assets/missing.js", null, HttpStatusCode.NotFound)]
    public async Task Response_CarriesStrictContentSecurityPolicy(string path, string? remote, HttpStatusCode status)
    {
        await using var host = await DashboardHost.StartAsync();

        var response = await host.GetAsync(DashboardHost.Base + path, remote);

        response.StatusCode.Should().Be(status);
        var csp = response.Headers.GetValues("Content-Security-Policy").Should().ContainSingle().Which;
        csp.Should().Contain("script-src 'self'").And.Contain("default-src 'none'").And.Contain("frame-ancestors 'none'")
            .And.NotContain("unsafe-inline").And.NotContain("unsafe-eval").And.NotContain("http");
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
    }

    /// <summary>What no dashboard route takes (an unknown path, a malformed id, another method) is still the dashboard's answer.</summary>
    [Theory]
    [InlineData("GET", "/events/not-a-guid", null, HttpStatusCode.NotFound)]
    [InlineData("GET", "/events/00000000-0000-0000-0000-000000000001/requeue", null, HttpStatusCode.NotFound)]
    [InlineData("GET", "/bulk/purge", null, HttpStatusCode.NotFound)]
    [InlineData("GET", "/no-such-page", null, HttpStatusCode.NotFound)]
    [InlineData("GET", "/no-such-page", "203.0.113.7", HttpStatusCode.Forbidden)]
    [InlineData("HEAD", "/", null, HttpStatusCode.OK)]
    [InlineData("HEAD", "/assets/dashboard.js", null, HttpStatusCode.OK)]
    [InlineData("PUT", "/events", null, HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "/", null, HttpStatusCode.MethodNotAllowed)]
    public async Task UnroutedPathOrMethod_IsAnsweredByTheDashboard_WithItsHeadersAndAccessCheck(string method, string path, string? remote, HttpStatusCode status)
    {
        await using var host = await DashboardHost.StartAsync();
        var response = await host.Client.SendAsync(DashboardHost.Request(new HttpMethod(method), DashboardHost.Base + path, remote));

        response.StatusCode.Should().Be(status);
        response.Headers.GetValues("Content-Security-Policy").Should().ContainSingle().Which.Should().Contain("default-src 'none'");
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
    }

    [Fact]
    public async Task Pages_HaveNoInlineScriptOrStyle_AndLoadOnlyEmbeddedAssets()
    {
        await using var host = await DashboardHost.StartAsync();

        var page = await host.PageAsync(DashboardHost.Base + "/");

        page.Document.QuerySelectorAll("script").Should().ContainSingle().Which.TextContent.Should().BeEmpty();
        page.Document.QuerySelectorAll("style, [style]").Should().BeEmpty();
        var urls = page.Document.QuerySelectorAll("script[src], link[href]").Select(e => e.GetAttribute("src") ?? e.GetAttribute("href")).ToList();
        urls.Should().HaveCount(3).And.OnlyContain(u => u!.StartsWith(DashboardHost.Base + "/assets/", StringComparison.Ordinal));
        foreach (var url in urls)
        {
            var asset = await host.GetAsync(url!);
            asset.StatusCode.Should().Be(HttpStatusCode.OK, url);
            asset.Headers.CacheControl!.ToString().Should().Contain("immutable");
        }
    }
}
