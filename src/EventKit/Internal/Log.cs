using Microsoft.Extensions.Logging;

namespace EventKit.Internal;

/// <summary>EventKit's log messages. Event ids 1xxx are stable; payloads are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "EventKit processor {Owner} started")]
    public static partial void ProcessorStarted(ILogger logger, string owner);

    [LoggerMessage(1002, LogLevel.Information, "EventKit processor {Owner} stopped")]
    public static partial void ProcessorStopped(ILogger logger, string owner);

    [LoggerMessage(1004, LogLevel.Error, "EventKit processor {Owner} could not record the outcome of {Count} events (try {Try}); their leases will expire and they will be retried")]
    public static partial void SettleFailed(ILogger logger, string owner, int count, int @try, Exception exception);

    [LoggerMessage(1005, LogLevel.Warning, "EventKit processor {Owner} could not renew its leases")]
    public static partial void RenewFailed(ILogger logger, string owner, Exception exception);

    [LoggerMessage(1006, LogLevel.Warning, "EventKit processor {Owner} lost {Count} leases; their outcome will not be recorded by this processor")]
    public static partial void LeasesLost(ILogger logger, string owner, int count);

    [LoggerMessage(1007, LogLevel.Warning, "Handler {Handler} failed for event {EventId} ({EventType}), attempt {Attempt}")]
    public static partial void HandlerFailed(ILogger logger, string handler, Guid eventId, string eventType, int attempt, Exception exception);

    [LoggerMessage(1008, LogLevel.Warning, "Event {EventId} ({EventType}) was dead-lettered after attempt {Attempt}")]
    public static partial void DeadLettered(ILogger logger, Guid eventId, string eventType, int attempt);

    [LoggerMessage(1009, LogLevel.Debug, "Event {EventId} ({EventType}) failed attempt {Attempt}; retry at {RetryAt}")]
    public static partial void RetryScheduled(ILogger logger, Guid eventId, string eventType, int attempt, DateTimeOffset retryAt);

    [LoggerMessage(1010, LogLevel.Information, "EventKit retention removed {Completed} completed and {DeadLetters} dead-lettered events")]
    public static partial void CleanupCompleted(ILogger logger, int completed, int deadLetters);

    [LoggerMessage(1011, LogLevel.Error, "EventKit retention cleanup failed; it runs again in {Interval}")]
    public static partial void CleanupFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(1012, LogLevel.Information, "EventKit processor {Owner} released {Count} events at shutdown")]
    public static partial void Released(ILogger logger, string owner, int count);

    [LoggerMessage(1013, LogLevel.Debug, "EventKit processor {Owner} processed {Count} events")]
    public static partial void BatchProcessed(ILogger logger, string owner, int count);

    [LoggerMessage(1014, LogLevel.Debug, "Event {EventId} ({EventType}) has no handler")]
    public static partial void NoHandler(ILogger logger, Guid eventId, string eventType);

    [LoggerMessage(1015, LogLevel.Error, "Handler {Handler} cannot deserialize the payload of event {EventId} ({EventType}); the event is dead-lettered")]
    public static partial void PayloadInvalid(ILogger logger, string handler, Guid eventId, string eventType, Exception exception);

    [LoggerMessage(1016, LogLevel.Error, "EventKit processor {Owner} could not complete a cycle (claim or record outcomes; is the database reachable?); retrying in {RetryDelay}")]
    public static partial void ProcessorFailed(ILogger logger, string owner, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(1017, LogLevel.Warning, "EventKit could not sample the event backlog for its gauges")]
    public static partial void BacklogSampleFailed(ILogger logger, Exception exception);
}
