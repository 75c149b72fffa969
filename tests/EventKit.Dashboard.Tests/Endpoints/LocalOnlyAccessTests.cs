using System.Net;
using FluentAssertions;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>the local-only rule (no authorization policy) against requests that only look local.</summary>
public sealed class LocalOnlyAccessTests
{
    /// <summary>
    /// DNS rebinding: a web page at http://rebind.attacker.example:5000 whose name the attacker re-points at 127.0.0.1
    /// makes the operator's own browser send requests that arrive from loopback but carry the attacker's Host. The browser
    /// treats the answers as the attacker's origin (it can read them, take the form token, and post actions with the
    /// cookie it was given, SameSite=Strict notwithstanding: it is the same site). A local-only dashboard must not answer
    /// a request for a host name that is not local.
    /// </summary>
    [Theory]
    [InlineData("/")]
    [InlineData("/events")]
    [InlineData("/dead-letters")]
    public async Task LocalOnly_LoopbackRequestForAForeignHostName_IsRefused(string path)
    {
        await using var host = await DashboardHost.StartAsync();

        var response = await host.Client.SendAsync(DashboardHost.Request(HttpMethod.Get, "http://rebind.attacker.example:5000" + DashboardHost.Base + path));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden, "a loopback connection asking for host rebind.attacker.example is a DNS-rebinding browser, not a local operator");
    }

    /// <summary>The names a local operator uses: localhost (and names under it, which browsers resolve to loopback themselves), loopback addresses, this machine's name.</summary>
    [Theory]
    [InlineData("http://localhost:5000")]
    [InlineData("http://LOCALHOST.")]
    [InlineData("http://ops.localhost:5000")]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://127.8.9.10")]
    [InlineData("http://[::1]:5000")]
    [InlineData("machine")]
    public async Task LocalOnly_LoopbackRequestForALocalHostName_IsServed(string origin)
    {
        await using var host = await DashboardHost.StartAsync();
        origin = origin == "machine" ? "http://" + System.Net.Dns.GetHostName() + ":5000" : origin;

        var response = await host.Client.SendAsync(DashboardHost.Request(HttpMethod.Get, origin + DashboardHost.Base + "/"));

        response.StatusCode.Should().Be(HttpStatusCode.OK, origin);
    }

    [Fact]
    public async Task LocalOnly_RefusedForeignHostName_SaysWhy()
    {
        await using var host = await DashboardHost.StartAsync();

        var page = await host.PageAsync("http://rebind.attacker.example" + DashboardHost.Base + "/");

        page.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        page.Document.Body!.TextContent.Should().Contain("names a host that is not this machine").And.Contain("DNS rebinding").And.Contain("RequireAuthorization");
        page.Document.Body.TextContent.Should().NotContain("attacker", "the page does not echo the name it refused");
    }

    /// <summary>The whole rebinding attack: read an event's payload, then purge dead letters, all from the attacker's origin.</summary>
    [Fact]
    public async Task LocalOnly_DnsRebinding_CannotPurgeDeadLetters()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent(payload: new { Card = "4111-1111-1111-1111" }));
        const string Origin = "http://rebind.attacker.example:5000";

        var confirm = await host.PageAsync(Origin + DashboardHost.Base + "/bulk?op=purge&status=dead_letter");
        if (confirm.Response.StatusCode == HttpStatusCode.OK)
        {
            var form = confirm.Form("/bulk/purge")!;
            var fields = form.QuerySelectorAll("input[name]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? string.Empty));
            var post = DashboardHost.Request(HttpMethod.Post, Origin + form.GetAttribute("action"));
            post.Content = new FormUrlEncodedContent(fields);
            post.Headers.Add("Cookie", DashboardHost.Cookies(confirm.Response));
            await host.Client.SendAsync(post);
        }

        (await host.Operations.GetEventAsync(id)).Should().NotBeNull("a page of another origin reaching the dashboard through loopback must not purge events");
    }

    /// <summary>
    /// A reverse proxy on the same machine (nginx, IIS ARR, a sidecar) connects from loopback for every client. A request
    /// that says it is forwarded for a remote client is not a local request; Hangfire-style local-only checks are known
    /// to open the dashboard to the internet this way when the application does not run the forwarded-headers middleware.
    /// </summary>
    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7;proto=https")]
    public async Task LocalOnly_LoopbackRequestForwardedForARemoteClient_IsRefused(string header, string value)
    {
        await using var host = await DashboardHost.StartAsync();
        var request = DashboardHost.Request(HttpMethod.Get, DashboardHost.Base + "/");
        request.Headers.TryAddWithoutValidation(header, value);

        var response = await host.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden, $"{header}: {value} says the client is 203.0.113.7, not this machine");
    }
}
