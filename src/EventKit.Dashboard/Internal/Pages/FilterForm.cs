using System.Globalization;
using EventKit.Dashboard.Internal.Rendering;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>
/// An event filter as query or form fields (<c>status</c>, <c>type</c>, <c>entity</c>, <c>entityId</c>, <c>from</c>,
/// <c>to</c>): read from a request, written back as links, hidden fields and the filter form. It is the operations
/// API's <see cref="EventFilter"/> itself, so a list, a count and a bulk action given the same fields select the same
/// events.
/// </summary>
internal static class FilterForm
{
    private static readonly string[] TimeFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd", "O"];

    public static EventFilter FromQuery(IQueryCollection query) => Parse(name => query[name]);

    public static EventFilter FromForm(IFormCollection form) => Parse(name => form[name]);

    /// <summary>The filter as name/value pairs, for links and hidden fields; unset fields are left out.</summary>
    public static (string Name, string? Value)[] Fields(EventFilter filter) =>
    [
        ("status", filter.Status?.ToStorageString()),
        ("type", filter.Type),
        ("entity", filter.Entity),
        ("entityId", filter.EntityId),
        ("from", filter.CreatedFrom is { } from ? Input(from) : null),
        ("to", filter.CreatedBefore is { } to ? Input(to) : null),
    ];

    /// <summary>The filter form of the events list: GET to <paramref name="path"/>.</summary>
    public static Markup Render(DashboardContext context, string path, EventFilter filter, bool oldestFirst)
    {
        var html = new HtmlBuilder();
        html.Append($"<form class=\"filters\" method=\"get\" action=\"{context.Url(path)}\" aria-label=\"Filter events\">");
        html.Append($"<label>Status <select name=\"status\" id=\"filter-status\">");
        html.Append($"<option value=\"\">any</option>");
        foreach (var status in Enum.GetValues<EventStatus>())
        {
            var word = status.ToStorageString();
            var selected = filter.Status == status ? Markup.Trusted(" selected") : Markup.Empty;
            html.Append($"<option value=\"{word}\"{selected}>{word}</option>");
        }

        html.Append($"</select></label>");
        Text(html, "Type", "type", "filter-type", filter.Type, "any type");
        Text(html, "Entity", "entity", "filter-entity", filter.Entity, "any");
        Text(html, "Entity id", "entityId", "filter-entity-id", filter.EntityId, "any");
        html.Append($"<label>Created from <input type=\"datetime-local\" name=\"from\" value=\"{(filter.CreatedFrom is { } from ? Input(from) : null)}\"></label>");
        html.Append($"<label>to <input type=\"datetime-local\" name=\"to\" value=\"{(filter.CreatedBefore is { } to ? Input(to) : null)}\"></label>");
        html.Append($"<label>Order <select name=\"order\">");
        html.Append($"<option value=\"newest\"{(oldestFirst ? Markup.Empty : Markup.Trusted(" selected"))}>newest first</option>");
        html.Append($"<option value=\"oldest\"{(oldestFirst ? Markup.Trusted(" selected") : Markup.Empty)}>oldest first</option></select></label>");
        html.Append($"<button type=\"submit\" id=\"filter-apply\">Filter</button> <a href=\"{context.Url(path)}\">clear</a></form>");
        return Markup.From(html);
    }

    /// <summary>Hidden fields carrying <paramref name="filter"/> in a POST form.</summary>
    public static (string Name, string Value)[] Hidden(EventFilter filter) =>
        Fields(filter).Where(f => f.Value is not null).Select(f => (f.Name, f.Value!)).ToArray();

    /// <summary>A one-line description: "status dead_letter, type order.placed".</summary>
    public static string Describe(EventFilter filter)
    {
        var parts = Fields(filter).Where(f => f.Value is not null).Select(f => f.Name + " " + f.Value).ToList();
        return parts.Count == 0 ? "all events" : string.Join(", ", parts);
    }

    private static EventFilter Parse(Func<string, StringValues> read)
    {
        string? Value(string name) => read(name) is [var v, ..] && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        EventStatus? status = null;
        if (Value("status") is { } word)
        {
            try
            {
                status = EventStatusExtensions.ParseStatus(word);
            }
            catch (ArgumentException)
            {
                throw new DashboardRequestException($"'{word}' is not an event status.");
            }
        }

        return new EventFilter
        {
            Status = status,
            Type = Value("type"),
            Entity = Value("entity"),
            EntityId = Value("entityId"),
            CreatedFrom = Time(Value("from"), "from"),
            CreatedBefore = Time(Value("to"), "to"),
        };
    }

    private static DateTimeOffset? Time(string? text, string name)
    {
        if (text is null)
        {
            return null;
        }

        // Times are UTC, as everywhere in the dashboard (datetime-local inputs carry no zone).
        return DateTimeOffset.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw new DashboardRequestException($"'{text}' is not a time for '{name}': use yyyy-MM-ddTHH:mm (UTC).");
    }

    private static void Text(HtmlBuilder html, string label, string name, string id, string? value, string placeholder) =>
        html.Append($"<label>{label} <input type=\"text\" name=\"{name}\" id=\"{id}\" value=\"{value}\" placeholder=\"{placeholder}\"></label>");

    private static string Input(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
}
