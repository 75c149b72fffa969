using Microsoft.Extensions.Logging;

namespace EventKit.Dashboard.Internal;

/// <summary>The dashboard's log messages: category <c>EventKit.Dashboard</c>, event ids 3xxx.</summary>
internal static partial class Log
{
    public const string Category = "EventKit.Dashboard";

    [LoggerMessage(3002, LogLevel.Error, "Dashboard page {Path} failed (request {RequestId})")]
    public static partial void PageFailed(ILogger logger, string path, string requestId, Exception exception);

    [LoggerMessage(3003, LogLevel.Warning, "Dashboard refused a request from {RemoteAddress} to {Path}: {Reason}")]
    public static partial void RemoteRequestRefused(ILogger logger, string remoteAddress, string path, string reason);

    [LoggerMessage(3004, LogLevel.Warning, "Dashboard refused action {Path}: the antiforgery token is missing or invalid")]
    public static partial void AntiforgeryRejected(ILogger logger, string path, Exception exception);

    [LoggerMessage(3005, LogLevel.Warning, "Dashboard could not refresh aggregate {Key} in the background; its pages keep the last value")]
    public static partial void AggregateRefreshFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(3006, LogLevel.Warning, "Dashboard could not compute aggregate {Key}; the next request that needs it tries again")]
    public static partial void AggregateComputeFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(3007, LogLevel.Warning, "Dashboard could not warm up the overview's aggregates at the application's start; its pages compute them when asked")]
    public static partial void WarmUpFailed(ILogger logger, Exception exception);
}
