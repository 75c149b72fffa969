using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace EventKit.Dashboard.Internal.Security;

/// <summary>
/// Who may use the dashboard: with an authorization policy on its endpoints, whoever ASP.NET Core's authorization
/// middleware let through (it ran before the endpoint); without one, local requests only. A local request comes from
/// this machine (<see cref="IsLocal"/>), names this machine as its host (a browser sends the name of the page's origin,
/// so a page of another site that re-pointed its DNS name at 127.0.0.1 — DNS rebinding — is refused), and was not
/// forwarded by a proxy on this machine for someone else.
/// </summary>
internal static class AccessGate
{
    /// <summary>Headers a reverse proxy adds for the client it forwards (left in place when the application does not process them).</summary>
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP", "X-Client-IP"];

    /// <summary>Why the request is refused, or <see langword="null"/> when it is allowed.</summary>
    public static string? Refusal(HttpContext context)
    {
        if (HasAuthorizationPolicy(context.GetEndpoint()))
        {
            return null;
        }

        if (!IsLocal(context.Connection))
        {
            return "It answers local requests only, because it has no authorization policy, and this request comes from another machine.";
        }

        foreach (var header in ForwardingHeaders)
        {
            if (context.Request.Headers.ContainsKey(header))
            {
                return $"It answers local requests only, because it has no authorization policy, and this request was forwarded by a proxy (it has a {header} header), so it may come from anyone.";
            }
        }

        if (!IsLocalHostName(context.Request.Host, context.Connection))
        {
            return "It answers local requests only, because it has no authorization policy, and this request names a host that is not this machine " +
                "(localhost, a loopback address or this machine's own name or address): a web page of another site can reach a local server under its own name (DNS rebinding).";
        }

        return null;
    }

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

    /// <summary>
    /// Whether the Host header names this machine: <c>localhost</c> or a name under <c>.localhost</c> (which browsers
    /// resolve to loopback themselves, RFC 6761), a loopback address, the connection's local address, or this
    /// machine's host name. No Host (HTTP/1.0) is not a browser's request, which always names its origin.
    /// </summary>
    public static bool IsLocalHostName(HostString host, ConnectionInfo connection)
    {
        if (!host.HasValue)
        {
            return true;
        }

        var name = host.Host.TrimEnd('.');
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (IPAddress.TryParse(name.Trim('[', ']'), out var address))
        {
            address = Normalize(address)!;
            return IPAddress.IsLoopback(address) || address.Equals(Normalize(connection.LocalIpAddress));
        }

        return name.Equals(MachineName.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static readonly Lazy<string> MachineName = new(() =>
    {
        try
        {
            return Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return Environment.MachineName;
        }
    });

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
