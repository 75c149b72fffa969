using EventKit.Dashboard.Internal.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EventKit.Dashboard.Internal;

/// <summary>
/// The dashboard's routes, relative to its prefix. Pages are GETs (and HEADs); actions are POSTs. Anything else under the
/// prefix (an unknown path, a malformed id, another method) is answered by the dashboard too, so it carries the same
/// security headers and passes the same access check as every page.
/// </summary>
internal static class DashboardEndpoints
{
    private static readonly string[] Read = [HttpMethods.Get, HttpMethods.Head];

    public static void Map(RouteGroupBuilder group, DashboardApp app)
    {
        group.MapMethods("/", Read, http => app.PageAsync(http, OverviewPage.HandleAsync));
        group.MapMethods("/events", Read, http => app.PageAsync(http, EventsPage.HandleAsync));
        group.MapMethods("/events/{id:guid}", Read, http => app.PageAsync(http, EventDetailPage.HandleAsync));
        group.MapPost("/events/{id:guid}/requeue", http => app.ActionAsync(http, EventDetailPage.RequeueAsync));
        group.MapPost("/events/{id:guid}/replay", http => app.ActionAsync(http, EventDetailPage.ReplayAsync));
        group.MapPost("/events/{id:guid}/cancel", http => app.ActionAsync(http, EventDetailPage.CancelAsync));
        group.MapMethods("/dead-letters", Read, http => app.PageAsync(http, DeadLettersPage.HandleAsync));
        group.MapMethods("/bulk", Read, http => app.ActionPageAsync(http, BulkPage.ConfirmAsync));
        group.MapPost("/bulk/requeue", http => app.ActionAsync(http, BulkPage.RequeueAsync));
        group.MapPost("/bulk/purge", http => app.ActionAsync(http, BulkPage.PurgeAsync));
        group.MapMethods("/types", Read, http => app.PageAsync(http, TypesPage.HandleAsync));
        group.MapPost("/types/pause", http => app.ActionAsync(http, TypesPage.PauseAsync));
        group.MapPost("/types/resume", http => app.ActionAsync(http, TypesPage.ResumeAsync));
        group.MapMethods("/assets/{name}", Read, app.AssetAsync);

        // The lowest precedence: only what no route above takes.
        group.Map("/{**rest}", http => app.PageAsync(http, NotFoundAsync));
    }

    private static Task NotFoundAsync(DashboardContext context)
    {
        if (HttpMethods.IsGet(context.Http.Request.Method) || HttpMethods.IsHead(context.Http.Request.Method))
        {
            return context.WriteHtmlAsync(StatusCodes.Status404NotFound, MessagePage.Render(context, "Not found", "There is no such dashboard page."));
        }

        context.Http.Response.Headers.Allow = "GET, HEAD, POST";
        return context.WriteHtmlAsync(StatusCodes.Status405MethodNotAllowed, MessagePage.Render(context, "Method not allowed",
            "Dashboard pages are read with GET; its actions are POST forms on the pages."));
    }
}
