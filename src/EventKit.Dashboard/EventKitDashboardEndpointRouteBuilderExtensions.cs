using EventKit.Dashboard.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard;

/// <summary>Mounts the EventKit dashboard in an ASP.NET Core application.</summary>
public static class EventKitDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard's pages, actions and assets under <paramref name="pattern"/>, reading and acting through the
    /// application's <see cref="IEventOperations"/> (registered by <c>AddEventKit()</c>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// <b>Who may open it.</b> Without an authorization policy the dashboard answers local requests only (remote address
    /// a loopback address or the server's own address; a request without a remote address, such as one through a Unix
    /// socket or ASP.NET Core's <c>TestServer</c>, is not local) and refuses the others with status 403 and a page
    /// saying why. Give it a policy with the returned builder, <c>.RequireAuthorization("ops")</c>, and ASP.NET Core's
    /// authorization decides instead, for remote and local requests alike. An <c>AllowAnonymous</c> convention counts
    /// as no policy.
    /// </para>
    /// <para>
    /// <b>Actions</b> are POST forms validated against an antiforgery token (a cookie of its own on the application's
    /// path base, HttpOnly, <c>SameSite=Strict</c>); they are refused when <see cref="EventKitDashboardOptions.ReadOnly"/> is set. Each goes to
    /// <see cref="IEventOperations"/> with the operator's name as <c>actor</c>: the signed-in user's name
    /// (<c>ClaimsIdentity.Name</c>, else its <c>NameIdentifier</c> or <c>sub</c> claim), or, for a request that is not
    /// authenticated, <c>anonymous@</c> followed by its remote address (<c>anonymous@127.0.0.1</c>); and with the
    /// reason typed next to the button, or <c>via dashboard</c> when none was typed (the operations API requires a
    /// reason). EventKit records them: requeue, replay and cancel in each event's log (shown in the event's timeline),
    /// pauses with who and why, purges and resumes in the application log.
    /// </para>
    /// <para>
    /// <b>Responses</b> are HTML-encoded throughout and carry a <c>Content-Security-Policy</c> without inline scripts or
    /// styles, <c>X-Content-Type-Options: nosniff</c>, <c>frame-ancestors 'none'</c> and <c>Cache-Control: no-store</c>
    /// (assets excepted). Every asset is embedded in this assembly; nothing is loaded from elsewhere.
    /// </para>
    /// </remarks>
    /// <param name="endpoints">The application (<c>WebApplication</c>) or another endpoint route builder.</param>
    /// <param name="pattern">
    /// The path the dashboard lives under: a literal path without route parameters, such as <c>/eventkit</c> (the default).
    /// </param>
    /// <param name="configure">Sets the dashboard's options, or <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// A builder for conventions that apply to every endpoint of the dashboard: <c>.RequireAuthorization("ops")</c>,
    /// <c>.RequireHost(…)</c> and the rest of ASP.NET Core's endpoint conventions.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is not a valid route pattern, or has route parameters.</exception>
    /// <exception cref="InvalidOperationException">EventKit is not registered (<c>services.AddEventKit()</c>).</exception>
    public static IEndpointConventionBuilder MapEventKitDashboard(
        this IEndpointRouteBuilder endpoints,
        string pattern = "/eventkit",
        Action<EventKitDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);

        RoutePattern parsed;
        try
        {
            parsed = RoutePatternFactory.Parse(pattern);
        }
        catch (RoutePatternException ex)
        {
            throw new ArgumentException($"'{pattern}' is not a valid route pattern: {ex.Message}", nameof(pattern), ex);
        }

        if (parsed.Parameters.Count > 0)
        {
            throw new ArgumentException(
                $"The dashboard's pattern must be a literal path such as \"/eventkit\"; '{pattern}' has route parameters.", nameof(pattern));
        }

        if (endpoints.ServiceProvider.GetService<IEventOperations>() is null)
        {
            throw new InvalidOperationException(
                "EventKit is not registered: call services.AddEventKit() before app.MapEventKitDashboard().");
        }

        var options = new EventKitDashboardOptions();
        configure?.Invoke(options);

        var group = endpoints.MapGroup(pattern);
        var dashboard = DashboardApp.Create(endpoints.ServiceProvider, PathPrefix(pattern), options);
        DashboardEndpoints.Map(group, dashboard);
        group.ExcludeFromDescription();
        return group;
    }

    // "/eventkit/" and "eventkit" both mean "/eventkit"; "/" means the root (links then start with "/").
    private static string PathPrefix(string pattern)
    {
        var trimmed = pattern.Trim().Trim('/');
        return trimmed.Length == 0 ? string.Empty : "/" + trimmed;
    }
}
