using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Security;

/// <summary>The headers every dashboard response carries, refusals and errors included.</summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// Only this origin's own files: no inline script or style (the pages have none, so payload text that slipped
    /// through as markup still could not run), no plugins, forms posted only back here, never framed.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response, bool cacheable)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";             // frame-ancestors for browsers without CSP level 2
        headers["Referrer-Policy"] = "same-origin";  // event ids in URLs stay on this site
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.CacheControl = cacheable ? "public, max-age=31536000, immutable" : "no-store";
    }
}
