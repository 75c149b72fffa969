using System.Globalization;
using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>
/// Requeue or purge every event a filter matches: a confirmation that says how many it matches now, then the action
/// with the very same <see cref="EventFilter"/>. The count can go stale before the operator confirms (events fail,
/// are retried or complete meanwhile), so the confirmation says when it counted and the result says how many the
/// action changed, next to the count that was confirmed.
/// </summary>
internal static class BulkPage
{
    public static async Task ConfirmAsync(DashboardContext context)
    {
        var op = Operation(context.Query("op"));
        var filter = FilterForm.FromQuery(context.Http.Request.Query);
        Ensure(filter);
        var counted = await context.App.Data.CountAsync(filter, context.Aborted).ConfigureAwait(false);
        var count = counted.Value;
        var verb = op == "purge" ? "Purge" : "Requeue";
        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>{verb} events</h1></div>");
        var back = context.Url("/dead-letters");
        if (counted.Computing)
        {
            // No action before the operator has seen how many it changes: the page refreshes itself until the count is there.
            html.Append(Layout.Computing(counted.AsOf)).Append($"<p><a href=\"{back}\">Cancel</a></p>");
        }
        else if (count.Count == 0)
        {
            html.Append($"<p class=\"empty\">No events match {FilterForm.Describe(filter)}.</p><p><a href=\"{back}\">Back</a></p>");
        }
        else
        {
            var many = count.Exact ? string.Empty : "more than ";
            var effect = op == "purge"
                ? "They are deleted with their logs, for good."
                : "Each becomes pending and runs again at once; handlers that already succeeded for an event do not run again.";
            html.Append($"<div class=\"confirm\"><p>This {verb.ToLowerInvariant()}s <strong id=\"match-count\" data-count=\"{count.Count}\" data-exact=\"{(count.Exact ? "true" : "false")}\">{many}{Format.Count(count.Count)}</strong> event(s) matching <code>{FilterForm.Describe(filter)}</code>. {effect}</p>");
            html.Append($"<p class=\"muted\" id=\"counted-at\">Counted at {Layout.Time(counted.AsOf)}. The action applies to the events that match when it runs; the result says how many it changed.</p>");
            html.Append(Layout.PostForm(context, "/bulk/" + op, $"{verb} {many}{Format.Count(count.Count)} event(s)",
                [.. FilterForm.Hidden(filter), ("counted", count.Exact ? count.Count.ToString(CultureInfo.InvariantCulture) : string.Empty)]));
            html.Append($" <a href=\"{back}\">Cancel</a></div>");
        }

        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, verb + " events", "dead-letters", Markup.From(html))).ConfigureAwait(false);
    }

    public static Task RequeueAsync(DashboardContext context) => RunAsync(context, "requeue");

    public static Task PurgeAsync(DashboardContext context) => RunAsync(context, "purge");

    /// <summary>"7 event(s)", and the confirmed count when it differs: what the notice after a bulk action says.</summary>
    public static string Done(DashboardContext context)
    {
        var count = context.QueryInt("count", 0);
        var done = Format.Count(count) + " event(s)";
        return context.QueryInt("counted", -1) is var counted and >= 0 && counted != count
            ? $"{done} (the confirmation counted {Format.Count(counted)}: events changed status in between)"
            : done;
    }

    private static async Task RunAsync(DashboardContext context, string op)
    {
        var form = await context.Http.Request.ReadFormAsync(context.Aborted).ConfigureAwait(false);
        var filter = FilterForm.FromForm(form);
        Ensure(filter);
        var data = context.App.Data;
        var action = context.Operator(form);
        var count = op == "purge"
            ? await data.PurgeAsync(filter, action, context.Aborted).ConfigureAwait(false)
            : await data.RequeueMatchingAsync(filter, action, context.Aborted).ConfigureAwait(false);
        var counted = int.TryParse(form["counted"], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value.ToString(CultureInfo.InvariantCulture) : null;
        context.SeeOther(context.Url("/dead-letters", ("notice", "bulk-" + op), ("count", count.ToString(CultureInfo.InvariantCulture)), ("counted", counted)));
    }

    private static string Operation(string? op) => op is "requeue" or "purge"
        ? op
        : throw new DashboardRequestException("Choose an operation: requeue or purge.");

    // Bulk actions need a status (never "every event"): the two the dead letters page offers them for.
    private static void Ensure(EventFilter filter)
    {
        if (filter.Status is not (EventStatus.DeadLetter or EventStatus.Failed))
        {
            throw new DashboardRequestException("Bulk actions apply to dead letters or failed events: choose status dead_letter or failed.");
        }
    }
}
