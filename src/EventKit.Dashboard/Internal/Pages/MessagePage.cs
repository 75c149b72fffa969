using EventKit.Dashboard.Internal.Rendering;

namespace EventKit.Dashboard.Internal.Pages;

/// <summary>A page that only says something: not found, refused, failed.</summary>
internal static class MessagePage
{
    public static Markup Render(DashboardContext context, string title, string message) =>
        Layout.Render(context, title, string.Empty, Markup.Build(html =>
            html.Append($"<h1>{title}</h1><p class=\"message\">{message}</p><p><a href=\"{context.Url("/")}\">Back to the overview</a></p>")));

    /// <summary>Without the frame and its assets: for requests the dashboard refuses to serve anything to.</summary>
    public static Markup RenderBare(string title, string message) => Markup.Build(html =>
        html.Append($"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · EventKit</title></head><body><h1>{title}</h1><p>{message}</p></body></html>"));
}
