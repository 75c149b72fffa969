using System.Net;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;

namespace EventKit.Dashboard.Tests.Endpoints;

public sealed class AccessTests
{
    private const string PatternParameter = "pattern";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task Get_LocalRequestWithoutPolicy_IsServed(string remote)
    {
        await using var host = await DashboardHost.StartAsync();

        var response = await host.GetAsync(DashboardHost.Base + "/", remote);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("10.0.0.2")]
    [InlineData("none")]
    public async Task Get_RemoteRequestWithoutPolicy_IsRefusedSayingWhy(string remote)
    {
        await using var host = await DashboardHost.StartAsync();

        foreach (var path in new[] { "/", "/events", "/dead-letters", "/types", "/assets/dashboard.css" })
        {
            var page = await host.PageAsync(DashboardHost.Base + path, remote);

            page.Response.StatusCode.Should().Be(HttpStatusCode.Forbidden, path);
            page.Document.QuerySelector("h1")!.TextContent.Should().Be("Local requests only");
            page.Html.Should().Contain("no authorization policy").And.Contain("RequireAuthorization");
        }
    }

    [Fact]
    public async Task Post_RemoteRequestWithoutPolicy_IsRefusedBeforeAnythingChanges()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var response = await host.Client.SendAsync(DashboardHost.Request(HttpMethod.Post, $"{DashboardHost.Base}/events/{id}/requeue", remote: "203.0.113.7"));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await host.Operations.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.DeadLetter);
    }

    [Fact]
    public async Task Get_WithPolicy_RemoteUserThePolicyAdmitsIsServed()
    {
        await using var host = await DashboardHost.StartAsync(app => app.MapEventKitDashboard(DashboardHost.Base).RequireAuthorization("ops"));

        var response = await host.GetAsync(DashboardHost.Base + "/", remote: "203.0.113.7", user: "alice", roles: "ops");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Get_WithPolicy_PolicyDecidesForLocalRequestsToo()
    {
        await using var host = await DashboardHost.StartAsync(app => app.MapEventKitDashboard(DashboardHost.Base).RequireAuthorization("ops"));

        (await host.GetAsync(DashboardHost.Base + "/")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "anonymous, even from the machine itself");
        (await host.GetAsync(DashboardHost.Base + "/", user: "bob")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "signed in without the ops role");
        (await host.GetAsync(DashboardHost.Base + "/events", remote: "203.0.113.7", user: "bob")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Get_AllowAnonymousConvention_CountsAsNoPolicy()
    {
        await using var host = await DashboardHost.StartAsync(app => app.MapEventKitDashboard(DashboardHost.Base).AllowAnonymous());

        (await host.GetAsync(DashboardHost.Base + "/", remote: "203.0.113.7")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await host.GetAsync(DashboardHost.Base + "/")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ReadOnly_HidesEveryActionAndRefusesPosts()
    {
        await using var host = await DashboardHost.StartAsync(app => app.MapEventKitDashboard(DashboardHost.Base, o => o.ReadOnly = true));
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());
        var completed = await host.Seed.CompletedAsync(host.Seed.NewEvent());
        var pending = await host.Seed.PendingAsync(host.Seed.NewEvent());
        await host.Operations.PauseAsync("order.placed", "ops", "maintenance");

        foreach (var path in new[] { "/", "/events?status=dead_letter", $"/events/{id}", $"/events/{completed}", $"/events/{pending}", "/dead-letters", "/types" })
        {
            var page = await host.PageAsync(DashboardHost.Base + path);
            page.Response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            page.PostForms.Should().BeEmpty($"{path} is read-only");
            page.Document.QuerySelectorAll("a[href*='/bulk']").Should().BeEmpty();
        }

        var confirm = await host.GetAsync($"{DashboardHost.Base}/bulk?op=requeue&status=dead_letter");
        confirm.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var actions = host.ActionPaths(id);
        actions.Should().HaveCount(7);
        foreach (var action in actions)
        {
            var post = await host.Client.SendAsync(DashboardHost.Request(HttpMethod.Post, action));
            post.StatusCode.Should().Be(HttpStatusCode.Forbidden, action);
            (await post.Content.ReadAsStringAsync()).Should().Contain("read-only", action);
        }

        (await host.Operations.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.DeadLetter);
        (await host.Operations.GetPausesAsync()).Should().ContainSingle();
    }

    [Fact]
    public void Map_WithoutEventKit_FailsSayingWhat()
    {
        var builder = WebApplication.CreateSlimBuilder();
        using var app = builder.Build();

        var act = () => app.MapEventKitDashboard();

        act.Should().Throw<InvalidOperationException>().WithMessage("*AddEventKit()*");
    }

    [Theory]
    [InlineData("/eventkit/{id}")]
    [InlineData("/a/{*rest}")]
    public async Task Map_PatternWithParameters_IsRejected(string pattern)
    {
        var act = async () => await DashboardHost.StartAsync(app => app.MapEventKitDashboard(pattern));

        await act.Should().ThrowAsync<ArgumentException>().Where(e => e.ParamName == PatternParameter);
    }
}
