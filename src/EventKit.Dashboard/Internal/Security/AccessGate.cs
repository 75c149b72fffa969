using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Security;

/// <summary>
/// Who may use the dashboard: with an authorization policy on its endpoints, whoever ASP.NET Core's authorization
/// middleware let through (it ran before the endpoint); without one, local requests only.
/// </summary>
internal static class AccessGate
{
    public static bool IsAllowed(HttpContext context) =>
        HasAuthorizationPolicy(context.GetEndpoint()) || IsLocal(context.Connection);

    /// <summary>
    /// Whether authorization applies to the endpoint: a policy, roles or requirements from <c>RequireAuthorization</c>
    /// or <c>[Authorize]</c>, and no <c>AllowAnonymous</c> (which makes the middleware skip them).
    /// </summary>
    public static bool HasAuthorizationPolicy(Endpoint? endpoint)
    {
        if (endpoint is null)
        {
            return false;
        }

        var metadata = endpoint.Metadata;
        if (metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return false;
        }

        return metadata.GetMetadata<IAuthorizeData>() is not null
            || metadata.GetMetadata<AuthorizationPolicy>() is not null
            || metadata.GetMetadata<IAuthorizationRequirementData>() is not null;
    }

    /// <summary>
    /// A loopback remote address, or the same address on both ends. Unknown (no TCP connection: a Unix socket
    /// behind a proxy, a test server) is not local, since a proxy may be forwarding anyone.
    /// </summary>
    public static bool IsLocal(ConnectionInfo connection)
    {
        var remote = Normalize(connection.RemoteIpAddress);
        if (remote is null)
        {
            return false;
        }

        return IPAddress.IsLoopback(remote) || remote.Equals(Normalize(connection.LocalIpAddress));
    }

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
