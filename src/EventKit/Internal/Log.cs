using Microsoft.Extensions.Logging;

namespace EventKit.Internal;

/// <summary>EventKit's log messages. Event ids 1xxx are stable; payloads are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "EventKit processor {Owner} started")]
    public static partial void ProcessorStarted(ILogger logger, string owner);

    [LoggerMessage(1002, LogLevel.Information, "EventKit processor {Owner} stopped")]
    public static partial void ProcessorStopped(ILogger logger, string owner);

    [LoggerMessage(1004, LogLevel.Error, "EventKit processor {Owner} could not record the outcome of {Count} events (try {Try}); it keeps them and tries again in {RetryDelay}, for as long as their leases last")]
    public static partial void SettleFailed(ILogger logger, string owner, int count, int @try, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(1005, LogLevel.Warning, "EventKit processor {Owner} could not renew its leases")]
    public static partial void RenewFailed(ILogger logger, string owner, Exception exception);

    [LoggerMessage(1006, LogLevel.Warning, "EventKit processor {Owner} lost {Count} leases; their running handlers are cancelled and their outcome will not change the events")]
    public static partial void LeasesLost(ILogger logger, string owner, int count);

    [LoggerMessage(1007, LogLevel.Warning, "Handler {Handler} failed for event {EventId} ({EventType}), attempt {Attempt}")]
    public static partial void HandlerFailed(ILogger logger, string handler, Guid eventId, string eventType, int attempt, Exception exception);

    [LoggerMessage(1008, LogLevel.Warning, "Event {EventId} ({EventType}) was dead-lettered after attempt {Attempt}")]
    public static partial void DeadLettered(ILogger logger, Guid eventId, string eventType, int attempt);

    [LoggerMessage(1009, LogLevel.Debug, "Event {EventId} ({EventType}) failed attempt {Attempt}; retry at {RetryAt}")]
    public static partial void RetryScheduled(ILogger logger, Guid eventId, string eventType, int attempt, DateTimeOffset retryAt);

    [LoggerMessage(1010, LogLevel.Information, "EventKit retention removed {Completed} completed, {Cancelled} cancelled and {DeadLetters} dead-lettered events")]
    public static partial void CleanupCompleted(ILogger logger, long completed, long cancelled, long deadLetters);

    [LoggerMessage(1011, LogLevel.Error, "EventKit retention cleanup failed; it runs again in {Interval}")]
    public static partial void CleanupFailed(ILogger logger, TimeSpan interval, Exception exception);

    [LoggerMessage(1012, LogLevel.Information, "EventKit processor {Owner} released {Count} events at shutdown")]
    public static partial void Released(ILogger logger, string owner, int count);

    [LoggerMessage(1013, LogLevel.Debug, "EventKit processor {Owner} claimed {Count} events")]
    public static partial void Claimed(ILogger logger, string owner, int count);

    [LoggerMessage(1037, LogLevel.Error, "EventKit processor {Owner} could not take {Count} events handed to it after their commit; they stay leased to it and are claimed again once the lease expires")]
    public static partial void HandOffFailed(ILogger logger, string owner, int count, Exception exception);

    [LoggerMessage(1038, LogLevel.Debug, "EventKit processor {Owner} was handed {Count} events committed in this process (released at once, too late in their lease: {TooLate})")]
    public static partial void HandedOff(ILogger logger, string owner, int count, bool tooLate);

    [LoggerMessage(1039, LogLevel.Warning, "EventKit processor {Owner} stopped before the unit of work that wrote {Count} events leased to it committed, and could not release them; they stay leased to it and are claimed again once the lease expires, with this attempt counted")]
    public static partial void HandOffAfterStop(ILogger logger, string owner, int count, Exception exception);

    [LoggerMessage(1014, LogLevel.Debug, "Event {EventId} ({EventType}) has no handler")]
    public static partial void NoHandler(ILogger logger, Guid eventId, string eventType);

    [LoggerMessage(1015, LogLevel.Error, "Handler {Handler} cannot deserialize the payload of event {EventId} ({EventType}); the event is dead-lettered")]
    public static partial void PayloadInvalid(ILogger logger, string handler, Guid eventId, string eventType, Exception exception);

    [LoggerMessage(1016, LogLevel.Error, "EventKit processor {Owner} could not claim events (is the database reachable?); retrying in {RetryDelay}")]
    public static partial void ClaimFailed(ILogger logger, string owner, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(1017, LogLevel.Warning, "EventKit could not sample the event backlog for its gauges")]
    public static partial void BacklogSampleFailed(ILogger logger, Exception exception);

    [LoggerMessage(1018, LogLevel.Warning, "Handler {Handler} is still running for event {EventId} {Elapsed} after it started, long after its cancellation for HandlerTimeout; it (or the deserialization of its payload) ignores its CancellationToken and holds a worker and the event's lease until it returns")]
    public static partial void HandlerIgnoresCancellation(ILogger logger, string handler, Guid eventId, TimeSpan elapsed);

    [LoggerMessage(1019, LogLevel.Error, "Disposing the DI scope of handler {Handler} for event {EventId} failed after the run had already failed")]
    public static partial void ScopeDisposalFailed(ILogger logger, string handler, Guid eventId, Exception exception);

    [LoggerMessage(1020, LogLevel.Warning, "Reporting telemetry for {Handler} of event {EventId} failed; processing is not affected")]
    public static partial void TelemetryFailed(ILogger logger, string handler, Guid eventId, Exception exception);

    [LoggerMessage(1021, LogLevel.Error, "EventKit failed while processing event {EventId} ({EventType}); the event is retried")]
    public static partial void EventFailed(ILogger logger, Guid eventId, string eventType, Exception exception);

    [LoggerMessage(1022, LogLevel.Error, "EventKit processor {Owner} stopped before it could record the outcome of {Count} events; their leases will expire and they will be handled again")]
    public static partial void OutcomesAbandoned(ILogger logger, string owner, int count);

    [LoggerMessage(1023, LogLevel.Warning, "The store refused the outcome of event {EventId} with its error texts; it was recorded with the texts replaced (the handler errors are in this log)")]
    public static partial void OutcomeTextsDropped(ILogger logger, Guid eventId);

    [LoggerMessage(1024, LogLevel.Error, "The store refused the outcome of event {EventId} ({EventType}) {Failures} times while it recorded others; EventKit gives it up: its lease will expire and the event will be handled again")]
    public static partial void OutcomeGivenUp(ILogger logger, Guid eventId, string eventType, int failures);

    [LoggerMessage(1025, LogLevel.Warning, "The outcome of event {EventId} ({EventType}) could not be recorded before its lease expired at {LeaseUntil}; the event will be handled again")]
    public static partial void OutcomeExpired(ILogger logger, Guid eventId, string eventType, DateTimeOffset leaseUntil);

    [LoggerMessage(1026, LogLevel.Warning, "Handler {Handler} was still running for event {EventId} ({Elapsed}) when the host stopped waiting; its lease will expire and the event will be handled again")]
    public static partial void RunAbandoned(ILogger logger, string handler, Guid eventId, TimeSpan elapsed);

    [LoggerMessage(1027, LogLevel.Warning, "Handler {Handler} returned without saving {Count} events it published for event {EventId} ({EventTypes}): they were added to its unit of work (e.g. its DbContext) but never saved, so they are lost. Call SaveChangesAsync before returning")]
    public static partial void HandlerLeftEventsUnsaved(ILogger logger, string handler, Guid eventId, int count, string eventTypes);

    [LoggerMessage(1028, LogLevel.Information, "Operator {Actor} requeued {Count} events")]
    public static partial void Requeued(ILogger logger, string actor, int count);

    [LoggerMessage(1029, LogLevel.Information, "Operator {Actor} replayed event {EventId} for {Handler}")]
    public static partial void Replayed(ILogger logger, string actor, Guid eventId, string handler);

    [LoggerMessage(1030, LogLevel.Information, "Operator {Actor} cancelled event {EventId}")]
    public static partial void Cancelled(ILogger logger, string actor, Guid eventId);

    [LoggerMessage(1031, LogLevel.Information, "Operator {Actor} purged {Count} events")]
    public static partial void Purged(ILogger logger, string actor, int count);

    [LoggerMessage(1032, LogLevel.Debug, "Operator action {Action} by {Actor} on {Filter}: {Reason}")]
    public static partial void OperatorActionDetails(ILogger logger, string action, string actor, string filter, string reason);

    [LoggerMessage(1033, LogLevel.Information, "Operator {Actor} paused event type {EventType}")]
    public static partial void Paused(ILogger logger, string actor, string eventType);

    [LoggerMessage(1034, LogLevel.Information, "Operator {Actor} resumed event type {EventType}")]
    public static partial void Resumed(ILogger logger, string actor, string eventType);

    [LoggerMessage(1035, LogLevel.Warning, "Processor {Owner} could not record its heartbeat; it retries at the next interval")]
    public static partial void HeartbeatFailed(ILogger logger, string owner, Exception exception);

    [LoggerMessage(1036, LogLevel.Warning, "EventKit processor {Owner}: store watcher {Watcher} failed and stopped; events committed elsewhere are found by polling")]
    public static partial void WatcherFailed(ILogger logger, string owner, string watcher, Exception exception);
}
