namespace EventKit.Internal.Processing;

/// <summary>One handler run: its log entry and, for a failure, the error and its kind.</summary>
internal readonly record struct HandlerRunResult(EventLogEntry Entry, Exception? Error, FailureKind Kind);
