using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>
/// The overview: counts per status, the backlog and its oldest pending event, throughput, processors alive, and per-type
/// counts, processing times and failure rates. Its region <c>#refresh-region</c> is fetched
/// again by dashboard.js every <see cref="RefreshSeconds"/> seconds.
/// </summary>
internal static class OverviewPage
{
    public const int RefreshSeconds = 5;

    /// <summary>What the overview shows.</summary>
    internal sealed record Overview(
        DateTimeOffset Now,
        bool Day,
        Cached<EventMetrics> Counts,
        Cached<TimeSpan?> Oldest,
        Cached<IReadOnlyList<EventTimelineBucket>> Throughput,
        IReadOnlyList<EventProcessorInfo> Processors,
        Cached<IReadOnlyList<EventTypeStatistics>> TypeStatistics)
    {
        public EventMetrics Metrics => Counts.Value;

        // An age as of when it was computed: the age now is that plus the time since.
        public TimeSpan? OldestPendingAge => Oldest.Value + (Now - Oldest.AsOf);

        public IReadOnlyList<EventTimelineBucket> Timeline => Throughput.Value;

        public IReadOnlyList<EventTypeStatistics> Types => TypeStatistics.Value;
    }

    private static readonly (EventStatus Status, string Title)[] Statuses =
    [
        (EventStatus.Pending, "Pending"),
        (EventStatus.Processing, "Processing"),
        (EventStatus.Completed, "Completed"),
        (EventStatus.Failed, "Failed"),
        (EventStatus.DeadLetter, "Dead letters"),
    ];

    /// <summary>The overview's throughput window: the last hour per minute, or (<c>?range=day</c>) the last day per hour.</summary>
    public static async Task HandleAsync(DashboardContext context)
    {
        var day = context.Query("range") == "day";
        var data = context.App.Data;
        var now = context.App.Now;

        // Independent reads (each in its own DI scope), so a cold page waits for the slowest, not for their sum.
        var metrics = data.GetMetricsAsync(context.Aborted);
        var oldest = data.GetOldestPendingAgeAsync(context.Aborted);
        var timeline = data.GetTimelineAsync(day, context.Aborted);
        var processors = data.GetProcessorsAsync(context.Aborted);
        var types = data.GetTypeStatisticsAsync(TypeWindow, context.Aborted);
        await Task.WhenAll(metrics, oldest, timeline, processors, types).ConfigureAwait(false);
        var overview = new Overview(now, day, await metrics.ConfigureAwait(false), await oldest.ConfigureAwait(false),
            await timeline.ConfigureAwait(false), await processors.ConfigureAwait(false), await types.ConfigureAwait(false));
        await context.WriteHtmlAsync(StatusCodes.Status200OK, Layout.Render(context, "Overview", "overview", Render(context, overview))).ConfigureAwait(false);
    }

    /// <summary>The per-type table covers events published in this window, up to now.</summary>
    public static readonly TimeSpan TypeWindow = TimeSpan.FromHours(24);

    public static Markup Render(DashboardContext context, Overview data)
    {
        var html = new HtmlBuilder();
        html.Append($"<div class=\"page-head\"><h1>Overview</h1>");
        html.Append($"<label class=\"refresh\"><input type=\"checkbox\" id=\"auto-refresh\" checked> Auto-refresh every {RefreshSeconds} s</label>");
        html.Append($"<span id=\"refresh-status\" class=\"muted\" aria-live=\"polite\"></span></div>");
        html.Append($"<div id=\"refresh-region\" data-refresh-seconds=\"{RefreshSeconds}\">");
        // A section whose aggregate the store is still computing (a large store just started) says so; the region's
        // refresh brings it in.
        html.Append(data.Counts.Computing ? Layout.ComputingSection("statuses", "Events by status", data.Counts.AsOf) : StatusCards(context, data.Metrics));
        html.Append(Layout.AsOf(data.Counts));
        html.Append(data.Counts.Computing || data.Oldest.Computing
            ? Layout.ComputingSection("backlog", "Backlog", data.Counts.Computing ? data.Counts.AsOf : data.Oldest.AsOf)
            : Backlog(context, data));
        html.Append(data.Throughput.Computing ? Layout.ComputingSection("throughput", ThroughputTitle(data.Day), data.Throughput.AsOf) : Throughput(context, data));
        html.Append(Processors(data));
        html.Append(data.TypeStatistics.Computing ? Layout.ComputingSection("types", TypesTitle, data.TypeStatistics.AsOf) : Types(context, data));
        html.Append($"</div>");
        return Markup.From(html);
    }

    private static readonly string TypesTitle = $"Events per type, last {(int)TypeWindow.TotalHours} hours";

    private static string ThroughputTitle(bool day) => day ? "Throughput per hour, last day" : "Throughput per minute, last hour";

    // Failed counts failed attempts, the one that dead-lettered an event included; dead-lettered and cancelled are
    // told apart in the legend.
    private static Markup Throughput(DashboardContext context, Overview data) => Markup.Build(html =>
    {
        var title = ThroughputTitle(data.Day);
        var other = data.Day
            ? Markup.Build(m => m.Append($"<a href=\"{context.Url("/")}\">per minute, last hour</a>"))
            : Markup.Build(m => m.Append($"<a href=\"{context.Url("/", ("range", "day"))}\">per hour, last day</a>"));
        html.Append($"<section aria-labelledby=\"throughput\"><h2 id=\"throughput\">{title}</h2>");
        html.Append($"<p class=\"muted\">all instances · {other}</p>{Layout.AsOf(data.Throughput)}");
        var labels = data.Timeline.Select(b => b.Start.UtcDateTime.ToString(data.Day ? "MM-dd HH:mm" : "HH:mm", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        html.Append(SvgChart.Columns(labels,
        [
            ("seg-pending", "created", data.Timeline.Select(b => b.Created).ToList()),
            ("seg-completed", "completed", data.Timeline.Select(b => b.Completed).ToList()),
            ("seg-failed", "failed", data.Timeline.Select(b => b.Failed).ToList()),
        ], title));
        html.Append($"<p class=\"legend\"><span class=\"key seg-pending\"></span> created {Format.Count(data.Timeline.Sum(b => b.Created))} ");
        html.Append($"<span class=\"key seg-completed\"></span> completed {Format.Count(data.Timeline.Sum(b => b.Completed))} ");
        html.Append($"<span class=\"key seg-failed\"></span> failed attempts {Format.Count(data.Timeline.Sum(b => b.Failed))} (dead-lettered {Format.Count(data.Timeline.Sum(b => b.DeadLettered))}) · cancelled {Format.Count(data.Timeline.Sum(b => b.Cancelled))}</p></section>");
    });

    private static Markup Processors(Overview data) => Markup.Build(html =>
    {
        html.Append($"<section aria-labelledby=\"processors\"><h2 id=\"processors\">Processors alive</h2>");
        if (data.Processors.Count == 0)
        {
            html.Append($"<p class=\"empty\">No processor has sent a heartbeat recently, on any instance.</p></section>");
            return;
        }

        html.Append($"<table class=\"processors\"><thead><tr><th scope=\"col\">Processor</th><th scope=\"col\">Host</th><th scope=\"col\">Started</th><th scope=\"col\">Last seen</th><th scope=\"col\" class=\"num\">In flight</th></tr></thead><tbody>");
        foreach (var processor in data.Processors)
        {
            html.Append($"<tr><td><code>{processor.Id}</code></td><td>{processor.Host}</td><td>{Layout.Time(processor.StartedAt)}</td>");
            html.Append($"<td>{Layout.Time(processor.LastSeenAt)} <span class=\"muted\">({Format.Age(data.Now - processor.LastSeenAt)} ago)</span></td><td class=\"num\" data-metric=\"in-flight\">{Format.Count(processor.InFlight)}</td></tr>");
        }

        html.Append($"</tbody></table></section>");
    });

    private static Markup StatusCards(DashboardContext context, EventMetrics metrics) => Markup.Build(html =>
    {
        html.Append($"<section aria-labelledby=\"statuses\"><h2 id=\"statuses\">Events by status</h2><div class=\"cards\">");
        var segments = new List<SvgChart.Segment>(Statuses.Length);
        foreach (var (status, title) in Statuses)
        {
            var word = status.ToStorageString();
            var count = DashboardData.Count(metrics, status);
            segments.Add(new SvgChart.Segment("seg-" + word, title, count));
            var body = Markup.Build(card => card.Append($"<span class=\"label\">{title}</span><span class=\"value\" data-status=\"{word}\">{Format.Count(count)}</span>"));
            if (status == EventStatus.DeadLetter)
            {
                html.Append($"<a class=\"card status-{word}\" href=\"{context.Url("/dead-letters")}\">{body}</a>");
            }
            else
            {
                html.Append($"<div class=\"card status-{word}\">{body}</div>");
            }
        }

        html.Append($"</div>{SvgChart.Stacked(segments, "Events by status")}</section>");
    });

    private static Markup Backlog(DashboardContext context, Overview data) => Markup.Build(html =>
    {
        var oldest = data.OldestPendingAge is { } age
            ? Markup.Build(m => m.Append($"<span class=\"value\" data-metric=\"oldest-runnable\">{Format.Age(age)}</span><span class=\"sub\">due since {Layout.Time(data.Now - age)}</span>"))
            : Markup.Trusted("<span class=\"value\" data-metric=\"oldest-runnable\">—</span><span class=\"sub\">nothing runnable is waiting</span>");
        var average = data.Metrics.AverageProcessingTime is { } avg ? Format.Duration(avg) : "—";
        html.Append($"<section aria-labelledby=\"backlog\"><h2 id=\"backlog\">Backlog</h2><div class=\"cards\">");
        html.Append($"<div class=\"card\"><span class=\"label\">Waiting</span><span class=\"value\" data-metric=\"waiting\">{Format.Count(data.Metrics.Pending + data.Metrics.Failed)}</span><span class=\"sub\">pending and failed, delayed ones included</span></div>");
        html.Append($"<div class=\"card\"><span class=\"label\">Oldest pending event waiting</span>{oldest}</div>");
        html.Append($"<div class=\"card\"><span class=\"label\">Average processing time</span><span class=\"value\" data-metric=\"average\">{average}</span><span class=\"sub\">publish to completion, completed events</span></div>");
        html.Append($"<a class=\"card status-dead_letter\" href=\"{context.Url("/dead-letters")}\"><span class=\"label\">Dead letters</span><span class=\"value\" data-metric=\"dead-letters\">{Format.Count(data.Metrics.DeadLetters)}</span><span class=\"sub\">list and requeue</span></a>");
        html.Append($"</div></section>");
    });

    private static Markup Types(DashboardContext context, Overview data) => Markup.Build(html =>
    {
        html.Append($"<section aria-labelledby=\"types\"><h2 id=\"types\">{TypesTitle}</h2>");
        if (data.Types.Count == 0)
        {
            html.Append($"<p class=\"empty\">No events were published since {Layout.Time(data.TypeStatistics.AsOf - TypeWindow)}.</p>{Layout.AsOf(data.TypeStatistics)}</section>");
            return;
        }

        html.Append($"<p class=\"muted\">All instances: events created in the window; processing time from publish to completion (completed events); failure rate: events with a failed handler run.</p>{Layout.AsOf(data.TypeStatistics)}");
        var max = data.Types.Max(t => t.Count);
        html.Append($"<table class=\"types\"><thead><tr><th scope=\"col\">Type</th><th scope=\"col\" class=\"num\">Published</th><th scope=\"col\" class=\"num\">Average</th><th scope=\"col\" class=\"num\">p95</th><th scope=\"col\" class=\"num\">Failure rate</th><th scope=\"col\" class=\"chart\"><span class=\"sr-only\">Share</span></th></tr></thead><tbody>");
        foreach (var type in data.Types)
        {
            html.Append($"<tr><td><a href=\"{context.Url("/types", ("type", type.Type))}\"><code>{type.Type}</code></a></td><td class=\"num\">{Format.Count(type.Count)}</td>");
            html.Append($"<td class=\"num\">{Format.OptionalDuration(type.AverageProcessingTime)}</td><td class=\"num\">{Format.OptionalDuration(type.P95ProcessingTime)}</td>");
            html.Append($"<td class=\"num\">{Format.Percent(type.FailureRate, type.Count)}</td><td class=\"chart\">{SvgChart.Bar(type.Count, max, type.Type + ": " + Format.Count(type.Count))}</td></tr>");
        }

        html.Append($"</tbody></table></section>");
    });
}
