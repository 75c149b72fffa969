using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>
/// Dead letters and failed events, grouped by type and by the first line of their last error, with bulk requeue and
/// purge (each through <see cref="BulkPage"/>'s confirmation). Groups come from the store through the operations API
/// (the newest <see cref="DashboardLimits.MaxGrouped"/> of each status, and the page says so when there are more).
/// </summary>
internal static class DeadLettersPage
{
    public static async Task HandleAsync(DashboardContext context)
    {
        var data = context.App.Data;
        var metrics = await data.GetMetricsAsync(context.Aborted).ConfigureAwait(false);
        var sections = new List<(EventStatus Status, long Total, Cached<FailureGroups> Groups)>();
        foreach (var (status, total) in new[] { (EventStatus.DeadLetter, metrics.Value.DeadLetters), (EventStatus.Failed, metrics.Value.Failed) })
        {
            var groups = await data.GetFailureGroupsAsync(status, context.Aborted).ConfigureAwait(false);
            sections.Add((status, total, groups));
        }

        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>Dead letters &amp; failed</h1></div>{Layout.Notice(NoticeText(context))}{Layout.AsOf(metrics)}");
        foreach (var (status, total, groups) in sections)
        {
            html.Append(Section(context, status, total, groups));
        }

        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, "Dead letters & failed", "dead-letters", Markup.From(html))).ConfigureAwait(false);
    }

    private static Markup Section(DashboardContext context, EventStatus status, long total, Cached<FailureGroups> cached) => Markup.Build(html =>
    {
        var groups = cached.Value;
        var word = status.ToStorageString();
        var title = status == EventStatus.DeadLetter ? "Dead letters" : "Failed, waiting for a retry";
        html.Append($"<section aria-labelledby=\"{word}\" id=\"section-{word}\"><h2 id=\"{word}\">{title} <span class=\"badge status-{word}\">{Format.Count(total)}</span></h2>");
        var all = new EventFilter { Status = status };
        html.Append($"<p class=\"bulk\"><a href=\"{context.Url("/events", FilterForm.Fields(all))}\">List them</a>");
        if (!context.ReadOnly)
        {
            BulkLinks(context, html, all, "all");
        }

        html.Append($"</p>");
        if (groups.Groups.Count == 0)
        {
            html.Append($"<p class=\"empty\">None.</p></section>");
            return;
        }

        html.Append(Layout.AsOf(cached));
        if (!groups.Complete)
        {
            // Grouping reads the events themselves: past this many, the groups describe the newest only.
            html.Append($"<p class=\"muted\" id=\"groups-scope-{word}\">Grouped from the newest {Format.Count(groups.Scanned)} of {Format.Count(total)}; the bulk actions cover every match.</p>");
        }

        html.Append($"<table class=\"groups\" id=\"groups-{word}\"><thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Last error</th><th scope=\"col\" class=\"num\">Events</th><th scope=\"col\">Latest</th><th scope=\"col\"><span class=\"sr-only\">Actions</span></th></tr></thead><tbody>");
        foreach (var group in groups.Groups)
        {
            var ofType = new EventFilter { Status = status, Type = group.Type };
            html.Append($"<tr><td><a href=\"{context.Url("/events", FilterForm.Fields(ofType))}\"><code>{group.Type}</code></a></td>");
            html.Append($"<td class=\"error-cell\"><span class=\"error-line\">{group.Error}</span></td><td class=\"num\">{Format.Count(group.Count)}</td>");
            html.Append($"<td><a href=\"{context.Url($"/events/{group.Example}")}\" class=\"latest\" title=\"Open the latest\">{Layout.Time(group.Latest)}</a></td><td>");
            if (!context.ReadOnly)
            {
                BulkLinks(context, html, ofType, "type");
            }

            html.Append($"</td></tr>");
        }

        html.Append($"</tbody></table></section>");
    });

    // A group's buttons act on its whole type (the operations API filters by type, not by error text); the
    // confirmation counts exactly what they cover.
    private static void BulkLinks(DashboardContext context, HtmlBuilder html, EventFilter filter, string scope)
    {
        html.Append($" <a class=\"btn\" href=\"{context.Url("/bulk", [("op", "requeue"), .. FilterForm.Fields(filter)])}\">Requeue {scope}…</a>");
        html.Append($" <a class=\"btn danger\" href=\"{context.Url("/bulk", [("op", "purge"), .. FilterForm.Fields(filter)])}\">Purge {scope}…</a>");
    }

    private static string? NoticeText(DashboardContext context) => context.Query("notice") switch
    {
        "requeued" => "Requeued: the event is pending and runs again.",
        "unchanged" => "Nothing changed: the event's status no longer allows that action.",
        "bulk-requeue" => $"Requeued {BulkPage.Done(context)}: they are pending and run again.",
        "bulk-purge" => $"Purged {BulkPage.Done(context)}.",
        _ => null,
    };
}
