using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>
/// Dead letters and failed events, grouped by type and by the first line of their last error, with bulk requeue and
/// purge (each through <see cref="BulkPage"/>'s confirmation).
/// </summary>
internal static class DeadLettersPage
{
    public static async Task HandleAsync(DashboardContext context)
    {
        var data = context.App.Data;
        var metrics = await data.GetMetricsAsync(context.Aborted).ConfigureAwait(false);
        var sections = new List<(EventStatus Status, long Total, IReadOnlyList<FailureGroup> Groups)>();
        foreach (var (status, total) in new[] { (EventStatus.DeadLetter, metrics.DeadLetter), (EventStatus.Failed, metrics.Failed) })
        {
            var groups = await data.GetFailureGroupsAsync(status, context.Aborted).ConfigureAwait(false);
            sections.Add((status, total, groups));
        }

        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>Dead letters &amp; failed</h1></div>{Layout.Notice(NoticeText(context))}");
        foreach (var (status, total, groups) in sections)
        {
            html.Append(Section(context, status, total, groups));
        }

        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, "Dead letters & failed", "dead-letters", Markup.From(html))).ConfigureAwait(false);
    }

    private static Markup Section(DashboardContext context, EventStatus status, long total, IReadOnlyList<FailureGroup> groups) => Markup.Build(html =>
    {
        var word = status.ToStorageString();
        var capabilities = context.App.Data.Capabilities;
        var title = status == EventStatus.DeadLetter ? "Dead letters" : "Failed, waiting for a retry";
        html.Append($"<section aria-labelledby=\"{word}\" id=\"section-{word}\"><h2 id=\"{word}\">{title} <span class=\"badge status-{word}\">{Format.Count(total)}</span></h2>");
        if (!capabilities.CanList(status))
        {
            // Counted, but this operations API cannot list them: the events page lists what it can.
            html.Append($"<p class=\"muted\">{Format.Count(total)} event(s); failed events are retried automatically at their next due time.</p></section>");
            return;
        }

        var all = new DashboardFilter { Status = status };
        html.Append($"<p class=\"bulk\"><a href=\"{context.Url("/events", FilterForm.Fields(all))}\">List them</a>");
        if (!context.ReadOnly)
        {
            BulkLinks(context, html, all, "all");
        }

        html.Append($"</p>");
        if (groups.Count == 0)
        {
            html.Append($"<p class=\"empty\">None.</p></section>");
            return;
        }

        html.Append($"<table class=\"groups\" id=\"groups-{word}\"><thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Last error</th><th scope=\"col\" class=\"num\">Events</th><th scope=\"col\">Latest</th><th scope=\"col\"><span class=\"sr-only\">Actions</span></th></tr></thead><tbody>");
        foreach (var group in groups)
        {
            var ofType = new DashboardFilter { Status = status, Type = group.Type };
            html.Append($"<tr><td><a href=\"{context.Url("/events", FilterForm.Fields(ofType))}\"><code>{group.Type}</code></a></td>");
            html.Append($"<td class=\"error-cell\"><span class=\"error-line\">{group.Error}</span></td><td class=\"num\">{Format.Count(group.Count)}</td>");
            html.Append($"<td><a href=\"{context.Url($"/events/{group.Example}")}\" class=\"latest\" title=\"Open the latest\">{Layout.Time(group.Latest)}</a></td><td>");
            if (!context.ReadOnly)
            {
                BulkLinks(context, html, ofType, "of type");
            }

            html.Append($"</td></tr>");
        }

        html.Append($"</tbody></table></section>");
    });

    private static void BulkLinks(DashboardContext context, HtmlBuilder html, DashboardFilter filter, string scope)
    {
        var capabilities = context.App.Data.Capabilities;
        if (capabilities.CanRequeue(filter))
        {
            html.Append($" <a class=\"btn\" href=\"{context.Url("/bulk", [("op", "requeue"), .. FilterForm.Fields(filter)])}\">Requeue {scope}…</a>");
        }

        if (capabilities.CanPurge(filter))
        {
            html.Append($" <a class=\"btn danger\" href=\"{context.Url("/bulk", [("op", "purge"), .. FilterForm.Fields(filter)])}\">Purge {scope}…</a>");
        }
    }

    private static string? NoticeText(DashboardContext context) => context.Query("notice") switch
    {
        "requeued" => "Requeued: the event is pending and runs again.",
        "unchanged" => "Nothing changed: the event's status no longer allows that action.",
        "bulk-requeue" => $"Requeued {Format.Count(context.QueryInt("count", 0))} event(s): they are pending and run again.",
        "bulk-purge" => $"Purged {Format.Count(context.QueryInt("count", 0))} event(s).",
        _ => null,
    };
}
