using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>
/// The event list, every status: filtered by status, type, entity, entity id and created range, sorted by time, keyset-paged
/// by the operations API's continuation token (query <c>after</c>, opaque; it only continues the same filter and order).
/// </summary>
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

        var filter = FilterForm.FromQuery(context.Http.Request.Query);
        var oldestFirst = context.Query("order") == "oldest";
        var after = context.Query("after");
        var order = oldestFirst ? EventOrder.OldestFirst : EventOrder.NewestFirst;
        EventPage page;
        try
        {
            page = await context.App.Data.GetEventsAsync(filter, order, after, PageSize, context.Aborted).ConfigureAwait(false);
        }
        catch (DashboardRequestException ex)
        {
            // A filter or page token the operations API refuses: the form again, to correct it, with the API's reason.
            var form = Markup.Build(html => html.Append($"<div class=\"page-head\"><h1>Events</h1></div>{Layout.Notice(ex.Message, success: false)}{FilterForm.Render(context, "/events", filter, oldestFirst)}"));
            await context.WriteHtmlAsync(StatusCodes.Status400BadRequest, Layout.Render(context, "Events", "events", form)).ConfigureAwait(false);
            return;
        }

        var main = Render(context, filter, oldestFirst, after is not null, page);
        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, "Events", "events", main)).ConfigureAwait(false);
    }

    public static Markup Render(DashboardContext context, EventFilter filter, bool oldestFirst, bool continued, EventPage page)
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

        if (page.ContinuationToken is { } next)
        {
            html.Append($"<a href=\"{Link(context, fields, ("order", oldestFirst ? "oldest" : null), ("after", next))}\" rel=\"next\" id=\"next-page\">Next {PageSize} →</a>");
        }

        html.Append($"</nav>");
        return Markup.From(html);
    }

    private static string Link(DashboardContext context, (string Name, string? Value)[] filter, params (string Name, string? Value)[] more) =>
        context.Url("/events", [.. filter, .. more]);
}
