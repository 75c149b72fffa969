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
            data.ReplayAsync(id, form["handler"].ToString() is { Length: > 0 } handler && handler != AllHandlers ? handler : null, action, ct));

    public static Task CancelAsync(DashboardContext context) =>
        ActAsync(context, "cancelled", (data, id, form, action, ct) => data.CancelAsync(id, action, ct));

    private const string AllHandlers = "*";

    private static async Task ActAsync(DashboardContext context, string done, Func<Data.IDashboardData, Guid, IFormCollection, Data.OperatorAction, CancellationToken, Task<bool>> act)
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
        var capabilities = context.App.Data.Capabilities;
        if (context.ReadOnly)
        {
            return Markup.Empty;
        }

        var html = new HtmlBuilder();
        if (capabilities.Requeueable.Contains(record.Status))
        {
            html.Append(Layout.PostForm(context, $"/events/{record.Id}/requeue", "Requeue"));
        }

        if (capabilities.Replay && record.Status == EventStatus.Completed)
        {
            var handlers = Markup.Build(m =>
            {
                m.Append($"<select name=\"handler\" aria-label=\"Handler to replay\"><option value=\"{AllHandlers}\">all handlers</option>");
                foreach (var handler in details.Log.Where(e => e.Result == EventLogResult.Success).Select(e => e.Action).Distinct(StringComparer.Ordinal))
                {
                    m.Append($"<option value=\"{handler}\">{handler}</option>");
                }

                m.Append($"</select>");
            });
            html.Append(Layout.PostForm(context, $"/events/{record.Id}/replay", "Replay", handlers));
        }

        if (capabilities.Cancel && record.Status == EventStatus.Pending)
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
            var result = entry.Result == EventLogResult.Success ? "success" : "failure";
            var by = entry.PerformedBy is null ? Markup.Empty : Markup.Build(m => m.Append($" · by <code>{entry.PerformedBy}</code>"));
            html.Append($"<li class=\"result-{result}\"><div class=\"entry-head\">{Layout.Time(entry.CreatedAt)} <span class=\"attempt\">attempt {entry.Attempt}</span> ");
            html.Append($"<code class=\"action\">{entry.Action}</code> <span class=\"badge result-{result}\">{result}</span> <span class=\"muted\">in {Format.Duration(entry.Duration)}{by}</span></div>");
            html.Append($"{Layout.Error(entry.Error)}</li>");
        }

        html.Append($"</ol></section>");
    });

    private static Guid RouteId(DashboardContext context) =>
        Guid.Parse((string)context.Http.Request.RouteValues["id"]!, System.Globalization.CultureInfo.InvariantCulture);
}
