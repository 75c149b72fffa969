using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>The event list: filtered by status, type, entity, entity id and created range, sorted by time, keyset-paged.</summary>
internal static class EventsPage
{
    public const int PageSize = 50;

    public static async Task HandleAsync(DashboardContext context)
    {
        // The header's lookup form: an event id goes straight to its page.
        if (context.Query("id") is { } idText)
        {
            if (Guid.TryParse(idText.Trim(), out var id))
            {
                context.SeeOther(context.Url($"/events/{id}"));
                return;
            }

            throw new DashboardRequestException($"'{idText}' is not an event id: an event id is a GUID such as {Guid.Empty}.");
        }

        var capabilities = context.App.Data.Capabilities;
        var filter = FilterForm.FromQuery(context.Http.Request.Query);
        if (!capabilities.CanList(filter.Status) && capabilities.ListableStatuses is { Count: > 0 } listable)
        {
            // A list that cannot show every status starts at the first one it can show.
            filter = filter with { Status = listable.Min() };
        }

        var oldestFirst = context.Query("order") == "oldest";
        var after = context.Query("after");
        var page = await context.App.Data.ListEventsAsync(filter, oldestFirst, after, PageSize, context.Aborted).ConfigureAwait(false);
        var main = Render(context, filter, oldestFirst, after is not null, page);
        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, "Events", "events", main)).ConfigureAwait(false);
    }

    public static Markup Render(DashboardContext context, DashboardFilter filter, bool oldestFirst, bool continued, EventListPage page)
    {
        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>Events</h1></div>");
        html.Append(FilterForm.Render(context, "/events", filter, oldestFirst));
        if (page.Events.Count == 0)
        {
            html.Append($"<p class=\"empty\" id=\"events-empty\">No events match {FilterForm.Describe(filter)}{(continued ? " after this point" : string.Empty)}.</p>");
            return Markup.From(html);
        }

        var fields = FilterForm.Fields(filter);
        var order = oldestFirst ? "newest" : "oldest";
        var sort = Link(context, fields, ("order", order));
        html.Append($"<table class=\"events\" id=\"events\"><thead><tr><th scope=\"col\"><a href=\"{sort}\" title=\"Sort {order} first\">Created {(oldestFirst ? "↑" : "↓")}</a></th>");
        html.Append($"<th scope=\"col\">Type</th><th scope=\"col\">Entity</th><th scope=\"col\">Status</th><th scope=\"col\" class=\"num\">Attempts</th><th scope=\"col\">Last error</th></tr></thead><tbody>");
        foreach (var record in page.Events)
        {
            html.Append($"<tr data-event-id=\"{record.Id}\"><td><a href=\"{context.Url($"/events/{record.Id}")}\" title=\"{record.Id}\">{Layout.Time(record.CreatedAt)}</a></td>");
            html.Append($"<td><code>{record.Type}</code></td><td>{record.Entity} <code>{record.EntityId}</code></td><td>{Layout.StatusBadge(record.Status)}</td>");
            html.Append($"<td class=\"num\">{record.Attempts}</td><td class=\"error-cell\">{(record.LastError is { } error ? Format.FirstLine(error, 120) : null)}</td></tr>");
        }

        html.Append($"</tbody></table><nav class=\"pager\" aria-label=\"Pages\">");
        if (continued)
        {
            html.Append($"<a href=\"{Link(context, fields, ("order", oldestFirst ? "oldest" : null))}\">First page</a> ");
        }

        if (page.Next is { } next)
        {
            html.Append($"<a href=\"{Link(context, fields, ("order", oldestFirst ? "oldest" : null), ("after", next))}\" rel=\"next\" id=\"next-page\">Next {PageSize} →</a>");
        }

        html.Append($"</nav>");
        return Markup.From(html);
    }

    private static string Link(DashboardContext context, (string Name, string? Value)[] filter, params (string Name, string? Value)[] more) =>
        context.Url("/events", [.. filter, .. more]);
}
