using System.Net;
using System.Reflection;
using System.Text;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>Hostile or odd input must get a 4xx (or the page), never a 500.</summary>
public sealed class RobustnessTests
{
    /// <summary>A payload that is not valid UTF-16 (a lone surrogate, e.g. cut by a producer) is still data to show.</summary>
    [Theory]
    [InlineData("{\"note\":\"\uD800\"}")]
    [InlineData("\uDC00 not json")]
    public async Task EventPage_PayloadWithLoneSurrogate_IsShown(string payload)
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent(payload: payload));

        var page = await host.PageAsync($"{DashboardHost.Base}/events/{id}");

        page.Response.StatusCode.Should().Be(HttpStatusCode.OK, page.Document.QuerySelector(".message")?.TextContent);
        page.Document.QuerySelector("pre.payload").Should().NotBeNull();
    }

    [Theory]
    [InlineData("/events?from=9999-12-31&to=0001-01-01")]
    [InlineData("/events?from=0001-01-01T00:00&to=9999-12-31T23:59")]
    [InlineData("/events?status=4")]
    [InlineData("/events?status=DEAD_LETTER")]
    [InlineData("/events?status=dead_letter&after=AAAA")]
    [InlineData("/events?status=dead_letter&after=%00%00")]
    [InlineData("/events?order=oldest&after=AQAAAAAAAAAA__________________________________8")]
    [InlineData("/bulk?op=requeue&status=dead_letter&from=9999-12-31&to=0001-01-01")]
    [InlineData("/bulk?op=purge&status=failed&type=%00")]
    [InlineData("/types?type=%00%01%02")]
    [InlineData("/events?type=a&type=b&status=dead_letter&status=failed")]
    [InlineData("/dead-letters?notice=bulk-requeue&count=99999999999999999999&counted=-5")]
    [InlineData("/?range=day&range=hour")]
    public async Task OddQuery_IsNeverA500(string path)
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var response = await host.GetAsync(DashboardHost.Base + path);

        ((int)response.StatusCode).Should().BeLessThan(500, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Action_MalformedMultipartBody_Is400()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());
        var request = DashboardHost.Request(HttpMethod.Post, $"{DashboardHost.Base}/events/{id}/requeue");
        request.Content = new ByteArrayContent(Encoding.ASCII.GetBytes("--x\r\nnot a header\r\n\r\nvalue"));
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=x");

        var response = await host.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Action_TooManyFormFields_Is400()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());
        var request = DashboardHost.Request(HttpMethod.Post, $"{DashboardHost.Base}/events/{id}/requeue");
        request.Content = new FormUrlEncodedContent(Enumerable.Range(0, 5000).Select(i => new KeyValuePair<string, string>("f" + i, "v")));

        var response = await host.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A valid token and cookie, then a form that overflows the limits after antiforgery read it: still 400.</summary>
    [Theory]
    [InlineData("/types?type=order.placed", "/types/pause", "type")]
    [InlineData("/events/{id}", "/requeue", "reason")]
    public async Task Action_HugeField_IsNot500(string page, string action, string field)
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var response = await host.SubmitAsync(DashboardHost.Base + page.Replace("{id}", id.ToString()), action, null, (field, new string('x', 200_000)));

        ((int)response.StatusCode).Should().BeLessThan(500, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A store failure is a 500 that names the request to look up in the log, never the exception's text: a provider's
    /// message can carry a server, a user or the data it choked on.
    /// </summary>
    [Fact]
    public async Task StoreFailure_Is500_WithTheRequestId_AndWithoutTheExceptionText()
    {
        const string Secret = "Host=db.internal;Username=eventkit;Password=hunter2";
        await using var host = await DashboardHost.StartAsync(services: services =>
        {
            var registered = services.Last(d => d.ServiceType == typeof(IEventOperations));
            services.Remove(registered);
            services.AddSingleton(sp => FailingEventPage.Around(
                (IEventOperations)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!), new InvalidOperationException(Secret)));
        });
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var response = await host.GetAsync($"{DashboardHost.Base}/events/{id}");
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        body.Should().NotContain("hunter2").And.NotContain("db.internal").And.NotContain(nameof(InvalidOperationException));
        var logged = host.Logs.Messages(3002).Should().ContainSingle().Subject;
        var requestId = logged[(logged.IndexOf("(request ", StringComparison.Ordinal) + "(request ".Length)..^1];
        requestId.Should().NotBeNullOrWhiteSpace();
        body.Should().Contain($"request {requestId}");
    }

    /// <summary>The application's operations, except that reading one event throws <see cref="_failure"/>.</summary>
    public class FailingEventPage : DispatchProxy
    {
        private IEventOperations _inner = null!;
        private Exception _failure = null!;

        public static IEventOperations Around(IEventOperations inner, Exception failure)
        {
            var proxy = Create<IEventOperations, FailingEventPage>();
            var self = (FailingEventPage)(object)proxy;
            self._inner = inner;
            self._failure = failure;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod!.Name == nameof(IEventOperations.GetEventAsync)
                ? Task.FromException<EventDetails?>(_failure)
                : targetMethod.Invoke(_inner, args);
    }
}
