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

        // Independent reads, so a cold page waits for the slowest (at most AggregatePolicy.FirstWait), not for their sum.
        var counting = data.GetMetricsAsync(context.Aborted);
        var deadLetters = data.GetFailureGroupsAsync(EventStatus.DeadLetter, context.Aborted);
        var failed = data.GetFailureGroupsAsync(EventStatus.Failed, context.Aborted);
        await Task.WhenAll(counting, deadLetters, failed).ConfigureAwait(false);
        var metrics = await counting.ConfigureAwait(false);
        var sections = new List<(EventStatus Status, long? Total, Cached<FailureGroups> Groups)>
        {
            (EventStatus.DeadLetter, metrics.Computing ? null : (long?)metrics.Value.DeadLetters, await deadLetters.ConfigureAwait(false)),
            (EventStatus.Failed, metrics.Computing ? null : (long?)metrics.Value.Failed, await failed.ConfigureAwait(false)),
        };

        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>Dead letters &amp; failed</h1></div>{Layout.Notice(NoticeText(context))}{Layout.AsOf(metrics)}");
        if (metrics.Computing)
        {
            html.Append(Layout.Computing(metrics.AsOf));
        }

        foreach (var (status, total, groups) in sections)
        {
            html.Append(Section(context, status, total, groups));
        }

        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, "Dead letters & failed", "dead-letters", Markup.From(html))).ConfigureAwait(false);
    }

    // total is null while the store is still counting (a large store just started).
    private static Markup Section(DashboardContext context, EventStatus status, long? total, Cached<FailureGroups> cached) => Markup.Build(html =>
    {
        var groups = cached.Value;
        var word = status.ToStorageString();
        var title = status == EventStatus.DeadLetter ? "Dead letters" : "Failed, waiting for a retry";
        var count = total is { } known ? Format.Count(known) : "…";
        html.Append($"<section aria-labelledby=\"{word}\" id=\"section-{word}\"><h2 id=\"{word}\">{title} <span class=\"badge status-{word}\">{count}</span></h2>");
        var all = new EventFilter { Status = status };
        html.Append($"<p class=\"bulk\"><a href=\"{context.Url("/events", FilterForm.Fields(all))}\">List them</a>");
        if (!context.ReadOnly)
        {
            BulkLinks(context, html, all, "all");
        }

        html.Append($"</p>");
        if (cached.Computing)
        {
            html.Append($"{Layout.Computing(cached.AsOf)}</section>");
            return;
        }

        if (groups.Groups.Count == 0)
        {
            html.Append($"<p class=\"empty\">None.</p></section>");
            return;
        }

        html.Append(Layout.AsOf(cached));
        if (!groups.Complete)
        {
            // Grouping reads the events themselves: past this many, the groups describe the newest only.
            html.Append($"<p class=\"muted\" id=\"groups-scope-{word}\">Grouped from the newest {Format.Count(groups.Scanned)} of {count}; the bulk actions cover every match.</p>");
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
