namespace EventKit.Internal.Processing;

/// <summary>
/// One worker's handler run: the token handed to the handler, its deadline and why it was cancelled. The token
/// source is reused from run to run and replaced only after one was cancelled, so a run costs no allocation, and a
/// cancellation aimed at one run (by its number) can never reach a later run of the same worker.
/// </summary>
internal sealed class RunSlot
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _source;
    private long _run;
    private bool _running;
    private CancelReason _reason;
    private bool _aborted;

    /// <summary>The running handler's name, for warnings.</summary>
    public string Handler { get; private set; } = string.Empty;

    /// <summary>The running event's id, for warnings.</summary>
    public Guid EventId { get; private set; }

    /// <summary>When the run started (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long StartedAt { get; private set; }

    /// <summary>When the run is cancelled for its timeout (a timestamp), or <see cref="long.MaxValue"/> for none.</summary>
    public long Deadline { get; private set; } = long.MaxValue;

    /// <summary>When the watchdog warns about a run that was cancelled for its timeout and still goes on (a timestamp).</summary>
    public long WarnAt { get; private set; } = long.MaxValue;

    /// <summary>Whether the watchdog already warned that this run ignores its cancellation.</summary>
    public bool Warned { get; private set; }

    /// <summary>Starts a run and returns its number and the token to hand to the handler.</summary>
    public (long Run, CancellationToken Token) Begin(string handler, Guid eventId, long startedAt, long deadline, long warnAt)
    {
        lock (_gate)
        {
            _running = true;
            _reason = _aborted ? CancelReason.Abort : CancelReason.None;
            Handler = handler;
            EventId = eventId;
            StartedAt = startedAt;
            Deadline = deadline;
            WarnAt = warnAt;
            Warned = false;
            _source ??= new CancellationTokenSource();
            if (_aborted)
            {
                _source.Cancel();
            }

            return (++_run, _source.Token);
        }
    }

    /// <summary>Ends the current run; returns why its token was cancelled, if it was. Ending it again before the next <see cref="Begin"/> changes nothing.</summary>
    public CancelReason End()
    {
        lock (_gate)
        {
            _running = false;
            Deadline = long.MaxValue;
            WarnAt = long.MaxValue;
            var reason = _reason;
            if (reason != CancelReason.None || _source?.IsCancellationRequested == true)
            {
                // A cancelled source cannot be reused; it has no timer, so dropping it needs no Dispose.
                _source = null;
            }

            return reason;
        }
    }

    /// <summary>Cancels run <paramref name="run"/> if it is still the running one and not cancelled yet.</summary>
    public void Cancel(long run, CancelReason reason)
    {
        CancellationTokenSource? source;
        lock (_gate)
        {
            if (!_running || run != _run || _reason != CancelReason.None)
            {
                return;
            }

            _reason = reason;
            source = _source;
        }

        // Never inline: the callbacks are the handler's continuations, and the worker goes on from there to its next
        // event, whose handler may block its thread. Run inline, that would be the renewer's or the watchdog's thread
        // (a lease no longer renewed: a second run elsewhere), or the stopping host's.
        _ = source?.CancelAsync();
    }

    /// <summary>Cancels the current run if it runs a handler of event <paramref name="eventId"/>.</summary>
    public void CancelEvent(Guid eventId, CancelReason reason)
    {
        long run;
        lock (_gate)
        {
            if (!_running || EventId != eventId)
            {
                return;
            }

            run = _run;
        }

        Cancel(run, reason);
    }

    /// <summary>Cancels the current run, if any, for <see cref="CancelReason.Abort"/>, and every later run at once.</summary>
    public void Abort()
    {
        long run;
        lock (_gate)
        {
            _aborted = true;
            run = _run;
        }

        Cancel(run, CancelReason.Abort);
    }

    /// <summary>A consistent view of the current run, for the timeout watchdog.</summary>
    public RunView Inspect()
    {
        lock (_gate)
        {
            return new RunView(_run, _running, _reason != CancelReason.None, Handler, EventId, StartedAt, Deadline, WarnAt, Warned);
        }
    }

    /// <summary>Records that run <paramref name="run"/> was warned about; returns <see langword="false"/> if it already was or has ended.</summary>
    public bool MarkWarned(long run)
    {
        lock (_gate)
        {
            if (!_running || run != _run || Warned)
            {
                return false;
            }

            Warned = true;
            return true;
        }
    }

    public readonly record struct RunView(long Run, bool Running, bool Cancelled, string Handler, Guid EventId, long StartedAt, long Deadline, long WarnAt, bool Warned);
}
