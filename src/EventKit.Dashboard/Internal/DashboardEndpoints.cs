using EventKit.Dashboard.Internal.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace EventKit.Dashboard.Internal;

/// <summary>The dashboard's routes, relative to its prefix. Pages are GETs; actions are POSTs.</summary>
internal static class DashboardEndpoints
{
    public static void Map(RouteGroupBuilder group, DashboardApp app)
    {
        group.MapGet("/", http => app.PageAsync(http, OverviewPage.HandleAsync));
        group.MapGet("/events", http => app.PageAsync(http, EventsPage.HandleAsync));
        group.MapGet("/events/{id:guid}", http => app.PageAsync(http, EventDetailPage.HandleAsync));
        group.MapPost("/events/{id:guid}/requeue", http => app.ActionAsync(http, EventDetailPage.RequeueAsync));
        group.MapPost("/events/{id:guid}/replay", http => app.ActionAsync(http, EventDetailPage.ReplayAsync));
        group.MapPost("/events/{id:guid}/cancel", http => app.ActionAsync(http, EventDetailPage.CancelAsync));
        group.MapGet("/dead-letters", http => app.PageAsync(http, DeadLettersPage.HandleAsync));
        group.MapGet("/bulk", http => app.ActionPageAsync(http, BulkPage.ConfirmAsync));
        group.MapPost("/bulk/requeue", http => app.ActionAsync(http, BulkPage.RequeueAsync));
        group.MapPost("/bulk/purge", http => app.ActionAsync(http, BulkPage.PurgeAsync));
        group.MapGet("/types", http => app.PageAsync(http, TypesPage.HandleAsync));
        group.MapPost("/types/pause", http => app.ActionAsync(http, TypesPage.PauseAsync));
        group.MapPost("/types/resume", http => app.ActionAsync(http, TypesPage.ResumeAsync));
        group.MapGet("/assets/{name}", app.AssetAsync);
    }
}
