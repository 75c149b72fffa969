using System.Net;
using FluentAssertions;

namespace EventKit.Dashboard.Tests.Endpoints;

public sealed class AntiforgeryTests
{
    /// <summary>Every POST endpoint the dashboard maps, found by asking routing, so a new action cannot be forgotten.</summary>
    [Fact]
    public async Task EveryAction_WithoutToken_IsRefusedAndChangesNothing()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());
        var actions = host.ActionPaths(id);
        actions.Should().HaveCount(7, "requeue, replay, cancel, bulk requeue, bulk purge, pause, resume");

        foreach (var action in actions)
        {
            // A form as a forging site would post it: the right fields, no token, no cookie.
            var request = DashboardHost.Request(HttpMethod.Post, action);
            request.Content = new FormUrlEncodedContent([new("status", "dead_letter"), new("type", "order.placed")]);
            var response = await host.Client.SendAsync(request);

            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, action);
            (await response.Content.ReadAsStringAsync()).Should().Contain("antiforgery token is missing or invalid", action);
        }

        var details = (await host.Operations.GetEventAsync(id))!;
        details.Event.Status.Should().Be(EventStatus.DeadLetter);
        details.Log.Should().OnlyContain(e => e.Kind == EventLogKind.HandlerRun, "no action ran");
        (await host.Operations.GetPausesAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("alice", "alice", false)]     // the page's token without its cookie
    [InlineData("alice", "mallory", true)]    // token and cookie issued to another user
    public async Task Action_TokenNotMatchingCookieOrUser_IsRefused(string pageUser, string postUser, bool withCookie)
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());
        var page = await host.PageAsync($"{DashboardHost.Base}/events/{id}", user: pageUser);
        var token = page.Form("/requeue")!.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        var request = DashboardHost.Request(HttpMethod.Post, $"{DashboardHost.Base}/events/{id}/requeue", user: postUser);
        request.Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token)]);
        if (withCookie)
        {
            request.Headers.Add("Cookie", DashboardHost.Cookies(page.Response));
        }

        var response = await host.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await host.Operations.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.DeadLetter);
    }

    [Fact]
    public async Task Cookie_IsStrictHttpOnly()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var response = await host.GetAsync($"{DashboardHost.Base}/events/{id}");

        response.Headers.GetValues("Set-Cookie").Should().ContainSingle(c => c.StartsWith(".EventKit.Dashboard.Antiforgery=", StringComparison.Ordinal))
            .Which.Should().Contain("samesite=strict").And.Contain("httponly");
    }
}
