using System.Text;
using EventKit.Dashboard.Internal.Rendering;
using EventKit.Dashboard.Internal.Security;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal;

/// <summary>One request to the dashboard: its links, its antiforgery token, and writing the response.</summary>
internal sealed class DashboardContext(DashboardApp app, HttpContext http)
{
    private string? _formToken;

    public DashboardApp App { get; } = app;

    public HttpContext Http { get; } = http;

    public CancellationToken Aborted => Http.RequestAborted;

    public bool ReadOnly => App.Options.ReadOnly;

    /// <summary>The dashboard's root as the browser sees it: the path base and the mapped prefix.</summary>
    public string BasePath => Http.Request.PathBase + App.Prefix;

    /// <summary>The name actions are recorded under, cut to the operations API's limit.</summary>
    public string OperatorName => Cut(Security.OperatorName.Of(Http), Data.OperatorAction.MaxPerformedBy);

    /// <summary>
    /// The operator action a posted form asks for: the signed-in user, and the form's reason, or
    /// <see cref="Data.OperatorAction.DefaultReason"/> when it has none (the operations API requires one).
    /// </summary>
    public Data.OperatorAction Operator(IFormCollection form) =>
        new(OperatorName, form["reason"].ToString().Trim() is { Length: > 0 } reason ? Cut(reason, Data.OperatorAction.MaxReason) : Data.OperatorAction.DefaultReason);

    /// <summary>The antiforgery request token for this page's forms (issuing the matching cookie on first use).</summary>
    public string FormToken => _formToken ??= App.Antiforgery.GetAndStoreTokens(Http).RequestToken
        ?? throw new InvalidOperationException("Antiforgery issued no request token.");

    /// <summary>A link to <paramref name="path"/> (starting with "/") below the dashboard, with optional query values.</summary>
    public string Url(string path, params ReadOnlySpan<(string Name, string? Value)> query)
    {
        var url = BasePath + (path == "/" && BasePath.Length > 0 ? "/" : path);
        var pairs = new List<KeyValuePair<string, string?>>(query.Length);
        foreach (var (name, value) in query)
        {
            if (!string.IsNullOrEmpty(value))
            {
                pairs.Add(new(name, value));
            }
        }

        return pairs.Count == 0 ? url : url + QueryString.Create(pairs).ToUriComponent();
    }

    public string? Query(string name) => Http.Request.Query[name] is [var value, ..] && !string.IsNullOrEmpty(value) ? value : null;

    public int QueryInt(string name, int fallback) => int.TryParse(Query(name), out var value) ? value : fallback;

    public Task WriteHtmlAsync(int statusCode, Markup page)
    {
        Http.Response.StatusCode = statusCode;
        Http.Response.ContentType = "text/html; charset=utf-8";
        return Http.Response.WriteAsync(page.Value, Encoding.UTF8, Aborted);
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max];

    /// <summary>Post/Redirect/Get: 303, so a reload shows the page again instead of repeating the action.</summary>
    public void SeeOther(string url)
    {
        Http.Response.StatusCode = StatusCodes.Status303SeeOther;
        Http.Response.Headers.Location = url;
    }
}
