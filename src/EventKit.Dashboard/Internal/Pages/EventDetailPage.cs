using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>One event: its fields, its payload pretty-printed, its log as a timeline, and its actions.</summary>
internal static class EventDetailPage
{
    /// <summary>Payloads longer than this many characters are shown cut (the whole text stays in the store).</summary>
    public const int MaxPayloadShown = 1_000_000;

    public static async Task HandleAsync(DashboardContext context)
    {
        var id = RouteId(context);
        var details = await context.App.Data.GetEventAsync(id, context.Aborted).ConfigureAwait(false);
        if (details is null)
        {
            await context.WriteHtmlAsync(StatusCodes.Status404NotFound, MessagePage.Render(context, "Event not found",
                $"There is no event {id}: it never existed, or retention removed it.")).ConfigureAwait(false);
            return;
        }

        var notice = context.Query("notice") switch
        {
            "requeued" => "Requeued: the event is pending and runs again.",
            "replayed" => "Replay scheduled: the event is pending and the handler runs again.",
            "cancelled" => "Cancelled: the event will not run.",
            "unchanged" => "Nothing changed: the event's status no longer allows that action.",
            _ => null,
        };
        var page = Layout.Render(context, "Event " + details.Event.Type, string.Empty, Render(context, details, notice));
        await context.WriteHtmlAsync(StatusCodes.Status200OK, page).ConfigureAwait(false);
    }

    public static Task RequeueAsync(DashboardContext context) =>
        ActAsync(context, "requeued", (data, id, form, action, ct) => data.RequeueAsync(id, action, ct));

    public static Task ReplayAsync(DashboardContext context) =>
        ActAsync(context, "replayed", (data, id, form, action, ct) =>
            data.ReplayAsync(id, form["handler"].ToString() is { Length: > 0 } handler && handler != EventLogEntry.AllHandlers ? handler : null, action, ct));

    public static Task CancelAsync(DashboardContext context) =>
        ActAsync(context, "cancelled", (data, id, form, action, ct) => data.CancelAsync(id, action, ct));

    private static async Task ActAsync(DashboardContext context, string done, Func<Data.DashboardData, Guid, IFormCollection, Data.OperatorAction, CancellationToken, Task<bool>> act)
    {
        var id = RouteId(context);
        var form = await context.Http.Request.ReadFormAsync(context.Aborted).ConfigureAwait(false);
        var changed = await act(context.App.Data, id, form, context.Operator(form), context.Aborted).ConfigureAwait(false);
        var notice = changed ? done : "unchanged";
        // Back where the operator came from: only a page of the dashboard's own, never a URL from the form.
        context.SeeOther(form["return"] == "dead-letters"
            ? context.Url("/dead-letters", ("notice", notice))
            : context.Url($"/events/{id}", ("notice", notice)));
    }

    public static Markup Render(DashboardContext context, EventDetails details, string? notice)
    {
        var record = details.Event;
        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1><code>{record.Type}</code> {Layout.StatusBadge(record.Status)}</h1>");
        html.Append($"<span class=\"muted event-id\">{record.Id}</span></div>{Layout.Notice(notice)}");
        html.Append(Actions(context, details));
        html.Append(Fields(record));
        if (record.LastError is not null)
        {
            html.Append($"<section aria-labelledby=\"last-error\"><h2 id=\"last-error\">Last error</h2>{Layout.Error(record.LastError)}</section>");
        }

        html.Append(Payload(record.Payload));
        html.Append(Timeline(details.Log));
        return Markup.From(html);
    }

    private static Markup Actions(DashboardContext context, EventDetails details)
    {
        var record = details.Event;
        if (context.ReadOnly)
        {
            return Markup.Empty;
        }

        var html = new HtmlBuilder();
        if (record.Status is EventStatus.Failed or EventStatus.DeadLetter)
        {
            html.Append(Layout.PostForm(context, $"/events/{record.Id}/requeue", "Requeue"));
        }

        if (record.Status == EventStatus.Completed)
        {
            // The handlers that ran for this event, from its log; the operations API checks the name.
            var handlers = Markup.Build(m =>
            {
                m.Append($"<select name=\"handler\" aria-label=\"Handler to replay\"><option value=\"{EventLogEntry.AllHandlers}\">all handlers</option>");
                foreach (var handler in details.Log.Where(e => e.Kind == EventLogKind.HandlerRun && e.Result == EventLogResult.Success).Select(e => e.Handler).Distinct(StringComparer.Ordinal))
                {
                    m.Append($"<option value=\"{handler}\">{handler}</option>");
                }

                m.Append($"</select>");
            });
            html.Append(Layout.PostForm(context, $"/events/{record.Id}/replay", "Replay", handlers));
        }

        // Pending (delayed included) or failed and waiting for a retry; an event being processed cannot be cancelled.
        if (record.Status is EventStatus.Pending or EventStatus.Failed)
        {
            html.Append(Layout.PostForm(context, $"/events/{record.Id}/cancel", "Cancel event"));
        }

        var forms = html.ToString();
        return forms.Length == 0
            ? Markup.Empty
            : Markup.Build(m => m.Append($"<section class=\"actions\" aria-label=\"Actions\">{Markup.From(html)}</section>"));
    }

    private static Markup Fields(EventRecord record) => Markup.Build(html =>
    {
        html.Append($"<dl class=\"fields\">");
        Field(html, "Id", Markup.Build(m => m.Append($"<code>{record.Id}</code>")));
        Field(html, "Status", Layout.StatusBadge(record.Status));
        Field(html, "Entity", Markup.Build(m => m.Append($"{record.Entity} <code>{record.EntityId}</code>")));
        Field(html, "Attempts", Markup.Build(m => m.Append($"{record.Attempts}")));
        Field(html, "Created", Layout.Time(record.CreatedAt));
        Field(html, record.Status == EventStatus.Processing ? "Lease until" : "Available at", Layout.Time(record.AvailableAt));
        Field(html, "Processed", Layout.Time(record.ProcessedAt));
        Optional(html, "Locked by", record.LockedBy);
        Optional(html, "Actor", record.Actor);
        Optional(html, "Correlation id", record.CorrelationId);
        Optional(html, "Idempotency key", record.IdempotencyKey);
        Optional(html, "Trace parent", record.TraceParent);
        html.Append($"</dl>");
    });

    private static void Field(HtmlBuilder html, string name, Markup value) => html.Append($"<dt>{name}</dt><dd>{value}</dd>");

    private static void Optional(HtmlBuilder html, string name, string? value)
    {
        if (value is not null)
        {
            html.Append($"<dt>{name}</dt><dd><code>{value}</code></dd>");
        }
    }

    private static Markup Payload(string payload) => Markup.Build(html =>
    {
        var shown = payload.Length > MaxPayloadShown ? payload[..MaxPayloadShown] : JsonText.Pretty(payload);
        html.Append($"<section aria-labelledby=\"payload\"><h2 id=\"payload\">Payload</h2><pre class=\"payload\"><code>{shown}</code></pre>");
        if (payload.Length > MaxPayloadShown)
        {
            html.Append($"<p class=\"muted\">The first {Format.Count(MaxPayloadShown)} of {Format.Count(payload.Length)} characters, as stored.</p>");
        }

        html.Append($"</section>");
    });

    /// <summary>The log: each handler run (result, duration, error folded) and each operator action (what, who, why).</summary>
    private static Markup Timeline(IReadOnlyList<EventLogEntry> log) => Markup.Build(html =>
    {
        html.Append($"<section aria-labelledby=\"log\"><h2 id=\"log\">Log</h2>");
        if (log.Count == 0)
        {
            html.Append($"<p class=\"empty\">No handler has run for this event yet.</p></section>");
            return;
        }

        html.Append($"<ol class=\"timeline\">");
        foreach (var entry in log)
        {
            html.Append(entry.Kind == EventLogKind.HandlerRun ? HandlerRun(entry) : OperatorEntry(entry));
        }

        html.Append($"</ol></section>");
    });

    private static Markup HandlerRun(EventLogEntry entry) => Markup.Build(html =>
    {
        var result = entry.Result switch
        {
            EventLogResult.Success => "success",
            EventLogResult.Interrupted => "interrupted",
            _ => "failure",
        };
        html.Append($"<li class=\"result-{result}\"><div class=\"entry-head\">{Layout.Time(entry.CreatedAt)} <span class=\"attempt\">attempt {entry.Attempt}</span> ");
        html.Append($"<code class=\"action\">{entry.Handler}</code> <span class=\"badge result-{result}\">{result}</span> <span class=\"muted\">in {Format.Duration(entry.Duration)}</span></div>");
        html.Append($"{Layout.Error(entry.Error)}</li>");
    });

    private static Markup OperatorEntry(EventLogEntry entry) => Markup.Build(html =>
    {
        var kind = entry.Kind switch
        {
            EventLogKind.Requeue => "requeue",
            EventLogKind.Replay => "replay",
            EventLogKind.Cancel => "cancel",
            _ => entry.Kind.ToString().ToLowerInvariant(),
        };
        var target = entry.Kind == EventLogKind.Replay
            ? Markup.Build(m => m.Append($" <code class=\"action\">{(entry.Handler == EventLogEntry.AllHandlers ? "all handlers" : entry.Handler)}</code>"))
            : Markup.Empty;
        html.Append($"<li class=\"operator kind-{kind}\" data-kind=\"{kind}\"><div class=\"entry-head\">{Layout.Time(entry.CreatedAt)} <span class=\"badge operator\">{kind}</span>{target} ");
        html.Append($"<span class=\"by\">by <code class=\"performed-by\">{entry.Actor}</code></span></div>");
        if (entry.Reason is not null)
        {
            html.Append($"<p class=\"reason\">{entry.Reason}</p>");
        }

        html.Append($"</li>");
    });

    private static Guid RouteId(DashboardContext context) =>
        Guid.Parse((string)context.Http.Request.RouteValues["id"]!, System.Globalization.CultureInfo.InvariantCulture);
}
