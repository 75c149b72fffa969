namespace EventKit;

/// <summary>
/// Told about every handler run of this process's processor, with the run's event-log entry and, for a failure, the
/// exception itself (the log keeps only its text): for test harnesses and diagnostics that need the exception object.
/// Register implementations with <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IHandlerRunObserver, MyObserver&gt;())</c>.
/// </summary>
/// <remarks>
/// Called on the worker that ran the handler, after the run ended and before its outcome is recorded, so several
/// calls may run at once: keep it short, thread-safe and non-blocking. An exception it throws is logged (warning 1020)
/// and ignored: an observer never changes what happens to the event.
/// </remarks>
public interface IHandlerRunObserver
{
    /// <summary>Called after a handler run.</summary>
    /// <param name="eventRecord">The event as claimed for this attempt.</param>
    /// <param name="entry">The run's event-log entry (handler, result, attempt, duration, error text).</param>
    /// <param name="exception">What the run failed with (a timeout is a <see cref="TimeoutException"/>), or <see langword="null"/> when it succeeded.</param>
    void OnHandlerRun(EventRecord eventRecord, EventLogEntry entry, Exception? exception);
}
