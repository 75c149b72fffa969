using EventKit.Dashboard.Internal.Assets;
using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Pages;
using EventKit.Dashboard.Internal.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventKit.Dashboard.Internal;

/// <summary>
/// One mounted dashboard: its options and services, and the pipeline every request goes through: security headers,
/// the access check, then for actions the read-only check and antiforgery validation, then the page or action.
/// </summary>
internal sealed class DashboardApp
{
    private DashboardApp(
        EventKitDashboardOptions options, string prefix, AssetStore assets, IAntiforgery antiforgery,
        DashboardData data, TimeProvider time, ILogger logger)
    {
        Options = options;
        Prefix = prefix;
        Assets = assets;
        Antiforgery = antiforgery;
        Data = data;
        Time = time;
        Logger = logger;
    }

    public EventKitDashboardOptions Options { get; }

    /// <summary>The mapped path ("/eventkit"), or empty at the root; links add the request's path base.</summary>
    public string Prefix { get; }

    public AssetStore Assets { get; }

    public IAntiforgery Antiforgery { get; }

    /// <summary>Everything the pages read and do: the one place that calls EventKit's operations API.</summary>
    public DashboardData Data { get; }

    public TimeProvider Time { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public ILogger Logger { get; }

    public static DashboardApp Create(IServiceProvider services, string prefix, EventKitDashboardOptions options)
    {
        var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(Log.Category);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var antiforgeryServices = DashboardAntiforgery.CreateServices(services);
        var lifetime = services.GetService<IHostApplicationLifetime>();
        lifetime?.ApplicationStopped.Register(antiforgeryServices.Dispose);

        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        var policy = services.GetService<AggregatePolicy>() ?? AggregatePolicy.Default;
        var cache = new AggregateCache(time, policy, logger, stopping);
        var data = new DashboardData(services.GetRequiredService<IEventOperations>(), services.GetService<DashboardLimits>() ?? DashboardLimits.Default, cache, time);

        // The overview's aggregates start computing when the application has started (on a thread of their own, so the
        // start is not delayed), and the first operator usually finds them ready.
        if (policy.WarmUp)
        {
            lifetime?.ApplicationStarted.Register(() => _ = WarmUpAsync(data, logger, stopping));
        }

        return new DashboardApp(
            new EventKitDashboardOptions { ReadOnly = options.ReadOnly },  // a copy: later changes to the caller's instance do not apply
            prefix,
            AssetStore.Load(),
            antiforgeryServices.GetRequiredService<IAntiforgery>(),
            data,
            time,
            logger);
    }

    /// <summary>Warms the overview's aggregates up; never throws (a failure is logged, the pages compute them when asked).</summary>
    private static async Task WarmUpAsync(DashboardData data, ILogger logger, CancellationToken stopping)
    {
        try
        {
            await Task.Run(() => data.WarmUpOverviewAsync(OverviewPage.TypeWindow), CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The application is stopping.
        }
        catch (Exception ex)
        {
            Log.WarmUpFailed(logger, ex);
        }
    }

    /// <summary>A page that only reads.</summary>
    public Task PageAsync(HttpContext http, Func<DashboardContext, Task> page) => RunAsync(http, RequestKind.Read, page);

    /// <summary>A page that leads to an action (a confirmation): refused when read-only, like the action itself.</summary>
    public Task ActionPageAsync(HttpContext http, Func<DashboardContext, Task> page) => RunAsync(http, RequestKind.ActionPage, page);

    /// <summary>A POST that changes events: refused when read-only, and without a valid antiforgery token.</summary>
    public Task ActionAsync(HttpContext http, Func<DashboardContext, Task> action) => RunAsync(http, RequestKind.Action, action);

    public async Task AssetAsync(HttpContext http)
    {
        var context = new DashboardContext(this, http);
        var name = http.Request.RouteValues["name"] as string;
        var refusal = AccessGate.Refusal(http);
        if (refusal is not null || name is null || !Assets.TryGet(name, out var asset))
        {
            SecurityHeaders.Apply(http.Response, cacheable: false);
            await (refusal is not null
                ? RefuseAsync(context, refusal)
                : context.WriteHtmlAsync(StatusCodes.Status404NotFound, MessagePage.Render(context, "Not found", "There is no such dashboard asset."))).ConfigureAwait(false);
            return;
        }

        SecurityHeaders.Apply(http.Response, cacheable: true);
        http.Response.ContentType = asset.ContentType;
        http.Response.ContentLength = asset.Content.Length;
        await http.Response.Body.WriteAsync(asset.Content, http.RequestAborted).ConfigureAwait(false);
    }

    private async Task RunAsync(HttpContext http, RequestKind kind, Func<DashboardContext, Task> handler)
    {
        SecurityHeaders.Apply(http.Response, cacheable: false);
        var context = new DashboardContext(this, http);
        if (AccessGate.Refusal(http) is { } refusal)
        {
            await RefuseAsync(context, refusal).ConfigureAwait(false);
            return;
        }

        if (kind != RequestKind.Read && Options.ReadOnly)
        {
            await context.WriteHtmlAsync(StatusCodes.Status403Forbidden, MessagePage.Render(context, "Read-only",
                "This dashboard is read-only (EventKitDashboardOptions.ReadOnly): its actions are disabled.")).ConfigureAwait(false);
            return;
        }

        if (kind == RequestKind.Action)
        {
            try
            {
                await Antiforgery.ValidateRequestAsync(http).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException ex)
            {
                Log.AntiforgeryRejected(Logger, http.Request.Path, ex);
                await context.WriteHtmlAsync(StatusCodes.Status400BadRequest, MessagePage.Render(context, "Form expired",
                    "The form's antiforgery token is missing or invalid, so nothing was changed. Go back, reload the page and try again.")).ConfigureAwait(false);
                return;
            }
        }

        try
        {
            await handler(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DashboardRequestException or FormatException && !http.Response.HasStarted)
        {
            http.Response.Clear();
            SecurityHeaders.Apply(http.Response, cacheable: false);
            await context.WriteHtmlAsync(StatusCodes.Status400BadRequest, MessagePage.Render(context, "Bad request", ex.Message)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            Log.PageFailed(Logger, http.Request.Path, http.TraceIdentifier, ex);
            if (http.Response.HasStarted)
            {
                throw;
            }

            http.Response.Clear();
            SecurityHeaders.Apply(http.Response, cacheable: false);
            // The exception's text stays in the log: a provider's message can name servers, users or the data it choked on.
            await context.WriteHtmlAsync(StatusCodes.Status500InternalServerError, MessagePage.Render(context, "Something failed",
                $"The dashboard could not complete this request. The application's log has the error: category {Log.Category}, " +
                $"event 3002, request {http.TraceIdentifier}.")).ConfigureAwait(false);
        }
    }

    /// <summary>403 for a request the access rule refuses (<see cref="AccessGate.Refusal"/>), saying why.</summary>
    private Task RefuseAsync(DashboardContext context, string why)
    {
        Log.RemoteRequestRefused(Logger, context.Http.Connection.RemoteIpAddress?.ToString() ?? "(unknown)", context.Http.Request.Path, why);
        return context.WriteHtmlAsync(StatusCodes.Status403Forbidden, MessagePage.RenderBare(
            "Local requests only",
            "This EventKit dashboard refused the request. " + why + " To open it from " +
            "other machines or under another name, give it one: app.MapEventKitDashboard(\"/eventkit\").RequireAuthorization(\"your-policy\")."));
    }

    private enum RequestKind
    {
        Read,
        ActionPage,
        Action,
    }
}
