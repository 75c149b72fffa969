namespace EventKit.Internal.Processing;

/// <summary>
/// How far an event got through its handlers when it was parked (a handler at its <see cref="HandlerLimiter"/> limit),
/// so it resumes there: the runs so far, their worst failure, and the limiter slot handed to it when it resumes.
/// </summary>
internal sealed class RunProgress(int next, EventLogEntry[] logs, int ran, FailureKind worst, string? lastError, List<HandlerDescriptor>? failed)
{
    public int Next { get; } = next;

    public EventLogEntry[] Logs { get; } = logs;

    public int Ran { get; } = ran;

    public FailureKind Worst { get; } = worst;

    public string? LastError { get; } = lastError;

    public List<HandlerDescriptor>? Failed { get; } = failed;

    /// <summary>The limiter whose slot passed to this event when it was resumed; it must use or return it.</summary>
    public HandlerLimiter? HeldSlot { get; set; }

    /// <summary>The handler runs recorded so far.</summary>
    public IReadOnlyList<EventLogEntry> Recorded => Ran == Logs.Length ? Logs : Logs[..Ran];
}
