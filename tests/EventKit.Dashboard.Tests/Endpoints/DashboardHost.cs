using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using EventKit.Dashboard;
using EventKit.Dashboard.Internal.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>
/// An application with EventKit (in-memory store, no processor) and the dashboard, on ASP.NET Core's TestServer.
/// TestServer requests have no remote address; a middleware gives them one: 127.0.0.1, or the
/// <see cref="RemoteHeader"/> header's ("none" for none). Header <see cref="UserHeader"/> signs a user in
/// (scheme "Test"), with the roles in <see cref="RolesHeader"/>. Policy "ops" requires role "ops". The dashboard does
/// not warm its aggregates up at the start (tests seed after it, and their first request computes what they seeded);
/// a test that registers its own <c>AggregatePolicy</c> decides.
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    public const string RemoteHeader = "X-Test-Remote-Address";
    public const string UserHeader = "X-Test-User";
    public const string RolesHeader = "X-Test-Roles";
    public const string Base = "/eventkit";

    private readonly WebApplication _app;

    /// <summary>The fake clock's start: every test sees the same times.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private DashboardHost(WebApplication app, LogSink logs, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
        Logs = logs;
        Client = app.GetTestClient();
        Client.BaseAddress = new Uri("http://localhost");
    }

    public HttpClient Client { get; }

    public FakeTimeProvider Time { get; }

    public LogSink Logs { get; }

    public IServiceProvider Services => _app.Services;

    public IEventStore Store => Services.GetRequiredService<IEventStore>();

    public IEventOperations Operations => Services.GetRequiredService<IEventOperations>();

    public EventSeeder Seed => new(Store, Time);

    /// <param name="map">Maps the dashboard; default <c>app.MapEventKitDashboard("/eventkit")</c>.</param>
    /// <param name="services">More services, after EventKit and the test authentication.</param>
    public static async Task<DashboardHost> StartAsync(Action<WebApplication>? map = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        var time = new FakeTimeProvider(Epoch);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddEventKit(o => o.EnableProcessing = false);
        builder.Services.AddSingleton(AggregatePolicy.Default with { WarmUp = false });
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireRole("ops")));
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.Use((context, next) =>
        {
            context.Connection.RemoteIpAddress = context.Request.Headers[RemoteHeader].ToString() switch
            {
                "" => IPAddress.Loopback,
                "none" => null,
                var address => IPAddress.Parse(address),
            };
            return next(context);
        });
        (map ?? (a => a.MapEventKitDashboard(Base)))(app);
        await app.StartAsync();
        return new DashboardHost(app, logs, time);
    }

    /// <summary>Every POST endpoint the dashboard maps, found by asking routing (so a new action cannot be forgotten), for event <paramref name="id"/>.</summary>
    public IReadOnlyList<string> ActionPaths(Guid id) =>
        Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("POST") == true)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/').Replace("{id:guid}", id.ToString()))
            .ToList();

    public Task<HttpResponseMessage> GetAsync(string path, string? remote = null, string? user = null, string? roles = null) =>
        Client.SendAsync(Request(HttpMethod.Get, path, remote, user, roles));

    public async Task<HtmlPage> PageAsync(string path, string? remote = null, string? user = null, string? roles = null) =>
        await HtmlPage.ReadAsync(await GetAsync(path, remote, user, roles));

    /// <summary>
    /// Submits the POST form of page <paramref name="pagePath"/> whose action ends with <paramref name="actionEndsWith"/>,
    /// as a browser would: its fields (antiforgery token included) plus <paramref name="extra"/>, with the antiforgery
    /// cookie the page set.
    /// </summary>
    public async Task<HttpResponseMessage> SubmitAsync(string pagePath, string actionEndsWith, string? user = null, params (string Name, string Value)[] extra)
    {
        var page = await PageAsync(pagePath, user: user);
        page.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await PostFormAsync(page, actionEndsWith, user, extra);
    }

    /// <summary>Submits a POST form of an already loaded <paramref name="page"/> (see <see cref="SubmitAsync"/>).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(HtmlPage page, string actionEndsWith, string? user = null, params (string Name, string Value)[] extra)
    {
        var form = page.Form(actionEndsWith);
        form.Should().NotBeNull($"the page has a form posting to …{actionEndsWith}");
        var fields = form!.QuerySelectorAll("input[name], select[name]")
            .Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? (i.QuerySelector("option")?.GetAttribute("value") ?? string.Empty)))
            .Where(f => extra.All(e => e.Name != f.Key))
            .Concat(extra.Select(e => new KeyValuePair<string, string>(e.Name, e.Value)));
        var request = Request(HttpMethod.Post, form.GetAttribute("action")!, user: user);
        request.Content = new FormUrlEncodedContent(fields);
        request.Headers.Add("Cookie", Cookies(page.Response));
        return await Client.SendAsync(request);
    }

    /// <summary>The cookies a response set, as a Cookie header value.</summary>
    public static string Cookies(HttpResponseMessage response) =>
        string.Join("; ", response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.Select(c => c.Split(';')[0]) : []);

    public static HttpRequestMessage Request(HttpMethod method, string path, string? remote = null, string? user = null, string? roles = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (remote is not null)
        {
            request.Headers.Add(RemoteHeader, remote);
        }

        if (user is not null)
        {
            request.Headers.Add(UserHeader, user);
        }

        if (roles is not null)
        {
            request.Headers.Add(RolesHeader, roles);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Test";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers[UserHeader].ToString() is not { Length: > 0 } name)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, name) };
            claims.AddRange(Request.Headers[RolesHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
    }
}
