using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using FluentAssertions;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>A dashboard response parsed as a browser would, for assertions on the DOM rather than on text.</summary>
public sealed class HtmlPage
{
    private HtmlPage(HttpResponseMessage response, string html)
    {
        Response = response;
        Html = html;
        Document = new HtmlParser().ParseDocument(html);
    }

    public HttpResponseMessage Response { get; }

    public string Html { get; }

    public IDocument Document { get; }

    public static async Task<HtmlPage> ReadAsync(HttpResponseMessage response) => new(response, await response.Content.ReadAsStringAsync());

    public IElement? Form(string actionEndsWith) =>
        Document.QuerySelectorAll("form[method=post]").FirstOrDefault(f => f.GetAttribute("action")!.EndsWith(actionEndsWith, StringComparison.Ordinal));

    public IEnumerable<IElement> PostForms => Document.QuerySelectorAll("form[method=post]");

    /// <summary>
    /// The DOM has no active content but the dashboard's own: every script is the external dashboard.js, no element
    /// has an event-handler attribute, no link or form points at javascript:, no iframe, object or embed.
    /// </summary>
    public void ShouldHaveNoActiveContentButOurs()
    {
        Document.QuerySelectorAll("script").Should().OnlyContain(s => s.GetAttribute("src")!.Contains("/assets/dashboard.js"), "the only script is the dashboard's own file");
        Document.All.SelectMany(e => e.Attributes).Where(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Name).Should().BeEmpty("no element may carry an event handler");
        Document.All.SelectMany(e => e.Attributes).Where(a => a.Value.TrimStart().StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
            .Should().BeEmpty();
        Document.QuerySelectorAll("iframe, object, embed, img, base, meta[http-equiv]").Should().BeEmpty();
    }
}
