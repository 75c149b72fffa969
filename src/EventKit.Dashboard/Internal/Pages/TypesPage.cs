using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>Event types (published, paused) with pause and resume, and each handler's runs, failures and average duration.</summary>
internal static class TypesPage
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    public static async Task HandleAsync(DashboardContext context)
    {
        var data = context.App.Data;
        var now = context.App.Now;
        var types = await data.GetTypeStatisticsAsync(now - Window, now, context.Aborted).ConfigureAwait(false);
        var handlers = await data.GetHandlerStatisticsAsync(now - Window, now, context.Aborted).ConfigureAwait(false);
        var pauses = (await data.GetPausedTypesAsync(context.Aborted).ConfigureAwait(false)).ToDictionary(p => p.Type, StringComparer.Ordinal);
        var only = context.Query("type");

        var names = types.Select(t => t.Type).Concat(handlers.Select(h => h.Type)).Concat(pauses.Keys)
            .Where(t => only is null || t == only).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>Types &amp; handlers</h1>");
        if (only is not null)
        {
            html.Append($"<a href=\"{context.Url("/types")}\">all types</a>");
        }

        html.Append($"</div>{Layout.Notice(NoticeText(context))}");
        var scope = data.Capabilities is { StoreWideStatistics: false, StatisticsSince: { } since }
            ? $"Published: all instances, last {(int)Window.TotalHours} hours. Handler runs: recorded by this process since {Format.Time(since)}."
            : $"All instances, last {(int)Window.TotalHours} hours.";
        html.Append($"<p class=\"muted\">{scope}</p>");
        if (names.Count == 0)
        {
            html.Append($"<p class=\"empty\">No event types yet: none was published in the last {(int)Window.TotalHours} hours and no handler ran.</p>");
        }

        foreach (var name in names)
        {
            var statistics = types.FirstOrDefault(t => t.Type == name);
            pauses.TryGetValue(name, out var pause);
            html.Append(Type(context, name, statistics, pause, handlers.Where(h => h.Type == name).ToList()));
        }

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

    private static Markup Type(DashboardContext context, string name, TypeStatistics? statistics, TypePause? pause, List<Data.HandlerStatistics> handlers) => Markup.Build(html =>
    {
        html.Append($"<section class=\"type\" data-type=\"{name}\"><h2><code>{name}</code> ");
        if (pause is not null)
        {
            html.Append($"<span class=\"badge status-failed\">paused</span>");
        }

        html.Append($"</h2><p>{Format.Count(statistics?.Count ?? 0)} published · average {Format.OptionalDuration(statistics?.AverageProcessingTime)} · p95 {Format.OptionalDuration(statistics?.P95ProcessingTime)} · failure rate {Format.Percent(statistics?.FailureRate ?? 0, statistics?.Runs ?? 0)} ");
        html.Append($"· <a href=\"{context.Url("/events", ("type", name))}\">events</a></p>");
        if (pause is not null)
        {
            html.Append($"<p class=\"muted\">Paused by <code>{pause.PausedBy}</code> at {Layout.Time(pause.PausedAt)}{(pause.Reason is null ? null : ": " + pause.Reason)}. Its events stay pending.</p>");
        }

        if (!context.ReadOnly && context.App.Data.Capabilities.Pause)
        {
            html.Append(pause is null
                ? Layout.PostForm(context, "/types/pause", "Pause", ("type", name))
                : Layout.PostForm(context, "/types/resume", "Resume", ("type", name)));
        }

        if (handlers.Count == 0)
        {
            html.Append($"<p class=\"empty\">No handler run recorded.</p></section>");
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
