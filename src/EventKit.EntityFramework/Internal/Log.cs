using Microsoft.Extensions.Logging;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// The EF store's log messages, category <see cref="Category"/>. Event ids 2xxx are stable. Claim and settle run as
/// plain ADO.NET commands, so EF Core's command logging does not see them: these messages are what an operator has.
/// Payloads, parameter values and connection strings are never logged.
/// </summary>
internal static partial class Log
{
    /// <summary>The category of every message of the EF store.</summary>
    public const string Category = "EventKit.EntityFramework";

    [LoggerMessage(2001, LogLevel.Information, "EventKit EF store: {ContextType} uses {Dialect} statements on {EventsTable} and {LogsTable}")]
    public static partial void DialectChosen(ILogger logger, string contextType, string dialect, string eventsTable, string logsTable);

    [LoggerMessage(2002, LogLevel.Warning, "EventKit EF store: {Operation} failed on {ContextType} ({Provider}); the processor retries it")]
    public static partial void StatementFailed(ILogger logger, string operation, string contextType, string? provider, Exception exception);

    [LoggerMessage(2003, LogLevel.Debug, "EventKit EF store: {Operation} on {ContextType} took {ElapsedMilliseconds} ms")]
    public static partial void StatementExecuted(ILogger logger, string operation, string contextType, double elapsedMilliseconds);

    [LoggerMessage(EventId = 2004, Message = "EventKit EF store: retention deleted {Count} {Status} events processed before {Cutoff} from {EventsTable} in {ElapsedMilliseconds} ms")]
    public static partial void RetentionDeleted(ILogger logger, LogLevel level, int count, EventStatus status, DateTimeOffset cutoff, string eventsTable, double elapsedMilliseconds);

    [LoggerMessage(2005, LogLevel.Warning, "EventKit EF store: {Count} events published through {ContextType} in this scope were never saved ({EventTypes}); they are not stored. Publishing only adds events to the context: call SaveChangesAsync after publishing")]
    public static partial void EventsNeverSaved(ILogger logger, int count, string contextType, string eventTypes);

    [LoggerMessage(2006, LogLevel.Debug, "EventKit EF store: {ContextType} listens for new events on channel {Channel}")]
    public static partial void Listening(ILogger logger, string contextType, string channel);

    [LoggerMessage(2007, LogLevel.Warning, "EventKit EF store: {ContextType} lost its connection listening on channel {Channel} (failure {Failures}); the processor polls meanwhile and reconnects in {RetryDelay}")]
    public static partial void ListenerDown(ILogger logger, string contextType, string channel, int failures, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(2008, LogLevel.Information, "EventKit EF store: {ContextType} listens on channel {Channel} again after {Failures} failures")]
    public static partial void ListenerRestored(ILogger logger, string contextType, string channel, int failures);

    [LoggerMessage(2009, LogLevel.Warning, "EventKit EF store: {ContextType}'s connection ({ConnectionType}) cannot wait for notifications; the processor finds events committed elsewhere by polling")]
    public static partial void ListenerUnsupported(ILogger logger, string contextType, string connectionType);

    [LoggerMessage(2010, LogLevel.Warning, "EventKit EF store: sending the notification on channel {Channel} after a commit failed; other instances find the events at their next poll")]
    public static partial void NotifyFailed(ILogger logger, string channel, Exception exception);
}
