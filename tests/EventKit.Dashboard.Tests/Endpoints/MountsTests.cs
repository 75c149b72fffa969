using System.Net;
using FluentAssertions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>Two mounts of the dashboard in one application, and the headers of every kind of response.</summary>
public sealed class MountsTests
{
    /// <summary>
    /// Two writable dashboards (different policies, or an "ops" and a "support" view) share the antiforgery cookie (same
    /// name, the path base as path): a form loaded on one still works after the other was opened in a second tab, also
    /// in an application that registered no data protection of its own (the mounts then share the process's keys).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TwoWritableMounts_OpeningTheOtherDoesNotBreakForms(bool applicationDataProtection)
    {
        await using var host = await DashboardHost.StartAsync(
            app =>
            {
                app.MapEventKitDashboard("/eventkit");
                app.MapEventKitDashboard("/eventkit-support");
            },
            services =>
            {
                if (!applicationDataProtection)
                {
                    services.RemoveAll<IDataProtectionProvider>();
                }
            });
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var first = await host.PageAsync($"/eventkit/events/{id}");
        var secondRequest = DashboardHost.Request(HttpMethod.Get, "/eventkit-support/events/" + id);
        secondRequest.Headers.Add("Cookie", DashboardHost.Cookies(first.Response));
        var second = await host.Client.SendAsync(secondRequest);

        // The browser now holds whichever cookie the second tab set (the same name and path replace the first).
        var jar = DashboardHost.Cookies(second).Length > 0 ? DashboardHost.Cookies(second) : DashboardHost.Cookies(first.Response);
        var token = first.Form("/requeue")!.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var post = DashboardHost.Request(HttpMethod.Post, $"/eventkit/events/{id}/requeue");
        post.Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token)]);
        post.Headers.Add("Cookie", jar);
        var response = await host.Client.SendAsync(post);

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A valid form of the writable mount, posted to the read-only mount of the same application: refused, nothing changes.</summary>
    [Fact]
    public async Task ReadOnlyMount_ValidTokenFromWritableMount_IsRefused()
    {
        await using var host = await DashboardHost.StartAsync(app =>
        {
            app.MapEventKitDashboard("/eventkit");
            app.MapEventKitDashboard("/eventkit-view", o => o.ReadOnly = true);
        });
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());
        var page = await host.PageAsync("/eventkit/bulk?op=purge&status=dead_letter");
        var form = page.Form("/bulk/purge")!;
        var fields = form.QuerySelectorAll("input[name]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? string.Empty)).ToList();

        foreach (var path in new[] { "/eventkit-view/bulk/purge", "/EVENTKIT-VIEW/bulk/purge", "/eventkit-view/bulk/purge/", "/eventkit-view//bulk/purge" })
        {
            var post = DashboardHost.Request(HttpMethod.Post, path);
            post.Content = new FormUrlEncodedContent(fields);
            post.Headers.Add("Cookie", DashboardHost.Cookies(page.Response));
            var response = await host.Client.SendAsync(post);
            ((int)response.StatusCode).Should().BeOneOf([403, 404, 405], path);
        }

        (await host.Operations.GetEventAsync(id)).Should().NotBeNull();
    }

    [Theory]
    [InlineData("GET", "/events?id=00000000-0000-0000-0000-000000000001")]
    [InlineData("GET", "/bulk?op=x&status=dead_letter")]
    [InlineData("POST", "/events/00000000-0000-0000-0000-000000000001/requeue")]
    [InlineData("PATCH", "/")]
    public async Task EveryDashboardResponse_IsNoStore(string method, string path)
    {
        await using var host = await DashboardHost.StartAsync();

        var response = await host.Client.SendAsync(DashboardHost.Request(new HttpMethod(method), DashboardHost.Base + path));

        response.Headers.CacheControl!.NoStore.Should().BeTrue(path);
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
    }
}
