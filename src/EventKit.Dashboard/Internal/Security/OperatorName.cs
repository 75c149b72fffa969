using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Security;

/// <summary>The name an operator action is recorded under (<c>actor</c>).</summary>
internal static class OperatorName
{
    public const string AnonymousPrefix = "anonymous@";

    /// <summary>
    /// The signed-in user's name (else its name identifier or <c>sub</c> claim); for a request that is not
    /// authenticated, <c>anonymous@</c> and its remote address (<c>anonymous@127.0.0.1</c>), or <c>anonymous</c>
    /// without one.
    /// </summary>
    public static string Of(HttpContext context)
    {
        var user = context.User;
        if (user.Identity is { IsAuthenticated: true } identity)
        {
            var name = identity.Name
                ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value
                ?? user.FindFirst("sub")?.Value;
            if (!string.IsNullOrWhiteSpace(name))
            {
                return name;
            }
        }

        var remote = context.Connection.RemoteIpAddress;
        if (remote is { IsIPv4MappedToIPv6: true })
        {
            remote = remote.MapToIPv4();
        }

        return remote is null ? "anonymous" : AnonymousPrefix + remote;
    }
}
