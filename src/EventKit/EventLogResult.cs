namespace EventKit;

/// <summary>
/// The result of one event log entry, persisted as <c>success</c>, <c>failure</c> or <c>interrupted</c>. Operator
/// entries (see <see cref="EventLogKind"/>) record actions that took effect, so their result is always
/// <see cref="Success"/>.
/// </summary>
public enum EventLogResult
{
    /// <summary>The handler completed without throwing (or the operator's action took effect).</summary>
    Success = 0,

    /// <summary>The handler threw, timed out, lost its lease, or its payload could not be deserialized.</summary>
    Failure = 1,

    /// <summary>
    /// The host stopped while the handler ran: its token was cancelled once <see cref="EventKitOptions.ShutdownTimeout"/>
    /// had passed, and the event was released to run again. Not a failure: the attempt does not count toward
    /// <see cref="EventKitOptions.MaxAttempts"/>.
    /// </summary>
    Interrupted = 2,
}
