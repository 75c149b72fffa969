using EventKit.Dashboard.Internal.Rendering;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>The frame of every page: head with the embedded assets, the navigation, the event lookup, the footer.</summary>
internal static class Layout
{
    /// <summary>The sections of the navigation.</summary>
    public static readonly IReadOnlyList<(string Key, string Title, string Path)> Navigation =
    [
        ("overview", "Overview", "/"),
        ("events", "Events", "/events"),
        ("dead-letters", "Dead letters & failed", "/dead-letters"),
        ("types", "Types & handlers", "/types"),
    ];

    public static Markup Render(DashboardContext context, string title, string active, Markup main)
    {
        var assets = context.App.Assets;
        var html = new HtmlBuilder();
        html.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append($"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append($"<meta name=\"robots\" content=\"noindex, nofollow\">");
        html.Append($"<title>{title} · EventKit</title>");
        html.Append($"<link rel=\"icon\" type=\"image/svg+xml\" href=\"{context.BasePath + assets.Path("favicon.svg")}\">");
        html.Append($"<link rel=\"stylesheet\" href=\"{context.BasePath + assets.Path("dashboard.css")}\">");
        html.Append($"<script src=\"{context.BasePath + assets.Path("dashboard.js")}\" defer></script>");
        html.Append($"</head><body><header class=\"top\"><a class=\"brand\" href=\"{context.Url("/")}\">EventKit</a><nav>");
        foreach (var (key, navTitle, path) in Navigation)
        {
            var current = key == active ? Markup.Trusted(" aria-current=\"page\"") : Markup.Empty;
            html.Append($"<a href=\"{context.Url(path)}\"{current}>{navTitle}</a>");
        }

        html.Append($"</nav><form class=\"lookup\" method=\"get\" action=\"{context.Url("/events")}\" role=\"search\">");
        html.Append($"<input type=\"search\" name=\"id\" placeholder=\"Event id\" aria-label=\"Event id\" required>");
        html.Append($"<button type=\"submit\">Open</button></form>");
        if (context.ReadOnly)
        {
            html.Append($"<span class=\"badge read-only\" title=\"Actions are disabled\">read-only</span>");
        }

        html.Append($"<span class=\"user\" title=\"Actions are recorded under this name\">{context.OperatorName}</span></header>");
        html.Append($"<main id=\"main\">{main}</main>");
        html.Append($"<footer>EventKit dashboard · times in UTC · now {Format.Time(context.App.Now)}</footer></body></html>");
        return Markup.From(html);
    }

    /// <summary>A notice above a page's content, after an action.</summary>
    public static Markup Notice(string? text, bool success = true) => text is null
        ? Markup.Empty
        : Markup.Build(html => html.Append($"<p class=\"notice {(success ? "ok" : "warn")}\" role=\"status\">{text}</p>"));

    /// <summary>A POST form with the antiforgery token: one button, plus hidden fields.</summary>
    public static Markup PostForm(DashboardContext context, string path, string button, params ReadOnlySpan<(string Name, string Value)> fields) =>
        PostForm(context, path, button, Markup.Empty, fields);

    /// <summary>A POST form with the antiforgery token, <paramref name="inputs"/> (visible fields), a reason field, one button, and hidden fields.</summary>
    public static Markup PostForm(DashboardContext context, string path, string button, Markup inputs, params ReadOnlySpan<(string Name, string Value)> fields)
    {
        var html = new HtmlBuilder();
        html.Append($"<form method=\"post\" action=\"{context.Url(path)}\" class=\"action\">{inputs}");
        html.Append($"<input type=\"text\" name=\"reason\" class=\"reason\" placeholder=\"reason (optional)\" title=\"Recorded with the action; when empty: {Data.OperatorAction.DefaultReason}\" aria-label=\"Reason\" maxlength=\"{Data.OperatorAction.MaxReason}\">");
        html.Append($"<input type=\"hidden\" name=\"{Security.DashboardAntiforgery.FormFieldName}\" value=\"{context.FormToken}\">");
        foreach (var (name, value) in fields)
        {
            html.Append($"<input type=\"hidden\" name=\"{name}\" value=\"{value}\">");
        }

        html.Append($"<button type=\"submit\" class=\"btn\">{button}</button></form>");
        return Markup.From(html);
    }

    public static Markup StatusBadge(EventStatus status)
    {
        var word = status.ToStorageString();
        return Markup.Build(html => html.Append($"<span class=\"badge status-{word}\">{word}</span>"));
    }

    public static Markup Time(DateTimeOffset? value) => value is { } time
        ? Markup.Build(html => html.Append($"<time datetime=\"{Format.IsoTime(time)}\">{Format.Time(time)}</time>"))
        : Markup.Trusted("<span class=\"muted\">—</span>");

    /// <summary>An error text: its first line, the whole text (with stack trace) folded below it.</summary>
    public static Markup Error(string? error) => error is null
        ? Markup.Empty
        : Markup.Build(html => html.Append($"<details class=\"error\"><summary>{Format.FirstLine(error)}</summary><pre>{error}</pre></details>"));

    /// <summary>
    /// For an aggregate served from memory (see <see cref="Data.AggregateCache"/>): when the store computed it. Empty for
    /// one computed for this request.
    /// </summary>
    public static Markup AsOf<T>(Data.Cached<T> value) => value.Kept
        ? Markup.Build(html => html.Append($"<p class=\"muted as-of\">As of {Time(value.AsOf)}: on a store this large it is computed in the background and refreshed regularly.</p>"))
        : Markup.Empty;

    /// <summary>How often a page showing <see cref="Computing"/> reloads itself (dashboard.js reads <c>data-reload-seconds</c>).</summary>
    public const int ComputingReloadSeconds = 3;

    /// <summary>
    /// In place of an aggregate the store is still computing (see <see cref="Data.Cached{T}.Computing"/>): when it
    /// started (<paramref name="startedAt"/>), and that the page refreshes itself (dashboard.js reloads it, or refreshes the overview's region).
    /// </summary>
    public static Markup Computing(DateTimeOffset startedAt) => Markup.Build(html => html.Append(
        $"<p class=\"computing\" role=\"status\" data-reload-seconds=\"{ComputingReloadSeconds}\">Computing… — started at {Time(startedAt)}, this page refreshes itself. On a store this large it takes a while; it goes on in the background.</p>"));

    /// <summary>A section of a page (heading <paramref name="title"/>) whose aggregate the store is still computing.</summary>
    public static Markup ComputingSection(string id, string title, DateTimeOffset startedAt) => Markup.Build(html =>
        html.Append($"<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{title}</h2>{Computing(startedAt)}</section>"));
}
