namespace EventKit;

/// <summary>
/// What an event log entry records, persisted as <c>handler_run</c>, <c>requeue</c>, <c>replay</c> or <c>cancel</c>:
/// a handler run, or an operator's action on the event (see <see cref="IEventOperations"/>).
/// </summary>
public enum EventLogKind
{
    /// <summary>One run of a handler; <see cref="EventLogEntry.Handler"/> is the handler's name.</summary>
    HandlerRun = 0,

    /// <summary>An operator moved a failed or dead-lettered event back to pending (<see cref="IEventOperations.RequeueAsync(Guid, string, string, CancellationToken)"/>).</summary>
    Requeue = 1,

    /// <summary>
    /// An operator made a handler of a completed event run again (<see cref="IEventOperations.ReplayAsync"/>);
    /// <see cref="EventLogEntry.Handler"/> is that handler's name, or <see cref="EventLogEntry.AllHandlers"/>.
    /// </summary>
    Replay = 2,

    /// <summary>An operator cancelled a pending, delayed or failed event (<see cref="IEventOperations.CancelAsync"/>).</summary>
    Cancel = 3,
}
