namespace EventKit;

/// <summary>
/// One row of the <c>event_logs</c> table: a handler run, or an operator's action on the event
/// (<see cref="Kind"/>).
/// </summary>
public sealed class EventLogEntry
{
    /// <summary>
    /// The <see cref="Handler"/> of an operator entry that concerns every handler of the event (a requeue, a cancel, a
    /// replay of all handlers): <c>*</c>. No handler can be named so.
    /// </summary>
    public const string AllHandlers = "*";

    /// <summary>The maximum length of <see cref="Error"/>, <see cref="Reason"/> and <see cref="EventRecord.LastError"/>: 2000 characters.</summary>
    public const int MaxErrorLength = 2000;

    /// <summary>Gets the log entry id (a version 7 GUID).</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the id of the event the entry belongs to.</summary>
    public required Guid EventId { get; init; }

    /// <summary>Gets what the entry records: a handler run (the default) or an operator's action.</summary>
    /// <value>Default <see cref="EventLogKind.HandlerRun"/>.</value>
    public EventLogKind Kind { get; init; }

    /// <summary>
    /// Gets the name of the handler the entry concerns (<see cref="EventHandlerOptions.Name"/>; stored in the
    /// <c>action</c> column): the handler that ran, or the handler an operator replayed; <see cref="AllHandlers"/> for an
    /// operator entry that concerns every handler.
    /// </summary>
    public required string Handler { get; init; }

    /// <summary>
    /// Gets who caused the entry (stored in the <c>performed_by</c> column): for a handler run, the event's
    /// <see cref="EventRecord.Actor"/>, if any; for an operator entry, the operator.
    /// </summary>
    public string? Actor { get; init; }

    /// <summary>Gets whether the handler succeeded, failed or was interrupted; <see cref="EventLogResult.Success"/> for operator entries.</summary>
    public required EventLogResult Result { get; init; }

    /// <summary>Gets the error text of a failed or interrupted run, bounded to <see cref="MaxErrorLength"/> characters.</summary>
    public string? Error { get; init; }

    /// <summary>Gets why the operator acted, for an operator entry; otherwise <see langword="null"/>. Bounded to <see cref="MaxErrorLength"/> characters.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// Gets the attempt number (1-based) a handler run belonged to; for an operator entry, the attempts the event had
    /// when the operator acted (its next run is attempt <c>Attempt + 1</c>). Attempt numbers only grow: requeues and
    /// replays continue them.
    /// </summary>
    public required int Attempt { get; init; }

    /// <summary>Gets how long the handler ran (zero for operator entries).</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Gets the UTC time the run finished, or the operator acted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}
