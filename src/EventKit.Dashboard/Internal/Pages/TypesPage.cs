using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>
/// Event types (published in the window, or paused) with pause and resume, and each handler's runs, failures and
/// average duration, all from the store (every instance). The operations API counts handler runs per handler name, not
/// per type, so the handlers are one table below the types.
/// </summary>
internal static class TypesPage
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    public static async Task HandleAsync(DashboardContext context)
    {
        var data = context.App.Data;
        var now = context.App.Now;
        var typesRead = data.GetTypeStatisticsAsync(Window, context.Aborted);
        var handlersRead = data.GetHandlerStatisticsAsync(Window, context.Aborted);
        await Task.WhenAll(typesRead, handlersRead).ConfigureAwait(false);
        var typeStatistics = await typesRead.ConfigureAwait(false);
        var handlerStatistics = await handlersRead.ConfigureAwait(false);

        // While the store is still computing the statistics (a large store just started), the paused types are listed,
        // so pausing and resuming never wait for it.
        var types = typeStatistics.Computing ? [] : typeStatistics.Value;
        var pauses = (await data.GetPausesAsync(context.Aborted).ConfigureAwait(false)).ToDictionary(p => p.Type, StringComparer.Ordinal);
        var only = context.Query("type");

        // ?type= shows that one type, published or not, so any type can be paused before its events arrive.
        List<string> names = only is not null
            ? [only]
            : types.Select(t => t.Type).Concat(pauses.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>Types &amp; handlers</h1>");
        if (only is not null)
        {
            html.Append($"<a href=\"{context.Url("/types")}\">all types</a>");
        }

        html.Append($"</div>{Layout.Notice(NoticeText(context))}");
        html.Append($"<p class=\"muted\">All instances, last {(int)Window.TotalHours} hours.</p>{Layout.AsOf(typeStatistics)}");
        if (typeStatistics.Computing)
        {
            html.Append(Layout.Computing(typeStatistics.AsOf));
        }
        else if (names.Count == 0)
        {
            html.Append($"<p class=\"empty\">No event types yet: none was published in the last {(int)Window.TotalHours} hours and none is paused.</p>");
        }

        foreach (var name in names)
        {
            var statistics = types.FirstOrDefault(t => t.Type == name);
            pauses.TryGetValue(name, out var pause);
            html.Append(Type(context, name, statistics, pause, typeStatistics.Computing));
        }

        html.Append(Handlers(handlerStatistics));

        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, "Types & handlers", "types", Markup.From(html))).ConfigureAwait(false);
    }

    public static Task PauseAsync(DashboardContext context) => ToggleAsync(context, pause: true);

    public static Task ResumeAsync(DashboardContext context) => ToggleAsync(context, pause: false);

    private static async Task ToggleAsync(DashboardContext context, bool pause)
    {
        var form = await context.Http.Request.ReadFormAsync(context.Aborted).ConfigureAwait(false);
        if (form["type"].ToString().Trim() is not { Length: > 0 } type)
        {
            throw new DashboardRequestException("Choose an event type.");
        }

        var data = context.App.Data;
        var changed = pause
            ? await data.PauseAsync(type, context.Operator(form), context.Aborted).ConfigureAwait(false)
            : await data.ResumeAsync(type, context.Operator(form), context.Aborted).ConfigureAwait(false);
        context.SeeOther(context.Url("/types", ("notice", changed ? (pause ? "paused" : "resumed") : "unchanged"), ("which", type)));
    }

    private static Markup Type(DashboardContext context, string name, EventTypeStatistics? statistics, EventTypePause? pause, bool computing) => Markup.Build(html =>
    {
        html.Append($"<section class=\"type\" data-type=\"{name}\"><h2><code>{name}</code> ");
        if (pause is not null)
        {
            html.Append($"<span class=\"badge status-failed\">paused</span>");
        }

        html.Append($"</h2>");
        if (computing)
        {
            html.Append($"<p>statistics being computed · ");
        }
        else
        {
            html.Append($"<p>{Format.Count(statistics?.Count ?? 0)} published · average {Format.OptionalDuration(statistics?.AverageProcessingTime)} · p95 {Format.OptionalDuration(statistics?.P95ProcessingTime)} · failure rate {Format.Percent(statistics?.FailureRate ?? 0, statistics?.Count ?? 0)} · ");
        }

        html.Append($"<a href=\"{context.Url("/events", ("type", name))}\">events</a></p>");
        if (pause is not null)
        {
            html.Append($"<p class=\"muted\">Paused by <code>{pause.Actor}</code> at {Layout.Time(pause.PausedAt)}: <span class=\"pause-reason\">{pause.Reason}</span>. Its events stay pending on every instance.</p>");
        }

        if (!context.ReadOnly)
        {
            html.Append(pause is null
                ? Layout.PostForm(context, "/types/pause", "Pause", ("type", name))
                : Layout.PostForm(context, "/types/resume", "Resume", ("type", name)));
        }

        html.Append($"</section>");
    });

    private static Markup Handlers(Cached<IReadOnlyList<HandlerStatistics>> statistics) => Markup.Build(html =>
    {
        if (statistics.Computing)
        {
            html.Append(Layout.ComputingSection("handlers", "Handlers", statistics.AsOf));
            return;
        }

        var handlers = statistics.Value;
        html.Append($"<section aria-labelledby=\"handlers\"><h2 id=\"handlers\">Handlers</h2>{Layout.AsOf(statistics)}");
        if (handlers.Count == 0)
        {
            html.Append($"<p class=\"empty\">No handler run ended in the last {(int)Window.TotalHours} hours.</p></section>");
            return;
        }

        html.Append($"<table class=\"handlers\"><thead><tr><th scope=\"col\">Handler</th><th scope=\"col\" class=\"num\">Runs</th><th scope=\"col\" class=\"num\">Failures</th><th scope=\"col\" class=\"num\">Average duration</th></tr></thead><tbody>");
        foreach (var handler in handlers)
        {
            html.Append($"<tr><td><code>{handler.Handler}</code></td><td class=\"num\">{Format.Count(handler.Runs)}</td><td class=\"num\">{Format.Count(handler.Failures)}</td><td class=\"num\">{Format.Duration(handler.AverageDuration)}</td></tr>");
        }

        html.Append($"</tbody></table></section>");
    });

    private static string? NoticeText(DashboardContext context) => context.Query("notice") switch
    {
        "paused" => $"Paused {context.Query("which")}: its events stay pending until it is resumed.",
        "resumed" => $"Resumed {context.Query("which")}.",
        "unchanged" => "Nothing changed.",
        _ => null,
    };
}
