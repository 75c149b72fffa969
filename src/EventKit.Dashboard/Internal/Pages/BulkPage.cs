using System.Globalization;
using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>Requeue or purge every event a filter matches: a confirmation that says how many, then the action.</summary>
internal static class BulkPage
{
    /// <summary>The confirmation counts matches up to this many ("at least" beyond).</summary>
    public const long MaxCounted = 1_000_000;

    public static async Task ConfirmAsync(DashboardContext context)
    {
        var op = Operation(context.Query("op"));
        var filter = FilterForm.FromQuery(context.Http.Request.Query);
        Ensure(context, op, filter);
        var count = await context.App.Data.CountEventsAsync(filter, MaxCounted, context.Aborted).ConfigureAwait(false);
        var verb = op == "purge" ? "Purge" : "Requeue";
        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>{verb} events</h1></div>");
        var back = context.Url("/dead-letters");
        if (count == 0)
        {
            html.Append($"<p class=\"empty\">No events match {FilterForm.Describe(filter)}.</p><p><a href=\"{back}\">Back</a></p>");
        }
        else
        {
            var many = count >= MaxCounted ? "at least " : string.Empty;
            var effect = op == "purge"
                ? "They are deleted with their logs, for good."
                : "Each becomes pending and runs again at once; handlers that already succeeded for an event do not run again.";
            html.Append($"<div class=\"confirm\"><p>This {verb.ToLowerInvariant()}s <strong id=\"match-count\" data-count=\"{count}\">{many}{Format.Count(count)}</strong> event(s) matching <code>{FilterForm.Describe(filter)}</code>. {effect}</p>");
            html.Append(Layout.PostForm(context, "/bulk/" + op, $"{verb} {many}{Format.Count(count)} event(s)", FilterForm.Hidden(filter)));
            html.Append($" <a href=\"{back}\">Cancel</a></div>");
        }

        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, verb + " events", "dead-letters", Markup.From(html))).ConfigureAwait(false);
    }

    public static Task RequeueAsync(DashboardContext context) => RunAsync(context, "requeue");

    public static Task PurgeAsync(DashboardContext context) => RunAsync(context, "purge");

    private static async Task RunAsync(DashboardContext context, string op)
    {
        var form = await context.Http.Request.ReadFormAsync(context.Aborted).ConfigureAwait(false);
        var filter = FilterForm.FromForm(form);
        Ensure(context, op, filter);
        var data = context.App.Data;
        var action = context.Operator(form);
        var count = op == "purge"
            ? await data.PurgeAsync(filter, action, context.Aborted).ConfigureAwait(false)
            : await data.RequeueAsync(filter, action, context.Aborted).ConfigureAwait(false);
        context.SeeOther(context.Url("/dead-letters", ("notice", "bulk-" + op), ("count", count.ToString(CultureInfo.InvariantCulture))));
    }

    private static string Operation(string? op) => op is "requeue" or "purge"
        ? op
        : throw new DashboardRequestException("Choose an operation: requeue or purge.");

    // Bulk actions need a status (never "every event"), and one this data layer can act on.
    private static void Ensure(DashboardContext context, string op, DashboardFilter filter)
    {
        if (filter.Status is not (EventStatus.DeadLetter or EventStatus.Failed))
        {
            throw new DashboardRequestException("Bulk actions apply to dead letters or failed events: choose status dead_letter or failed.");
        }

        var capabilities = context.App.Data.Capabilities;
        if (!(op == "purge" ? capabilities.CanPurge(filter) : capabilities.CanRequeue(filter)))
        {
            throw new DashboardRequestException($"This filter cannot be used to {op}: {FilterForm.Describe(filter)}.");
        }
    }
}
