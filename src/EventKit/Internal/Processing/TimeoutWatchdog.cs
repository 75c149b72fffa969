using Microsoft.Extensions.Logging;

namespace EventKit.Internal.Processing;

/// <summary>
/// Enforces handler timeouts cooperatively for all of a processor's workers with one timer: it is armed for the
/// earliest deadline of the runs in progress and, when it fires, cancels the token of every run past its deadline.
/// The run is recorded as timed out only once the handler returns. A run that is still going long after its
/// cancellation gets one warning naming the handler. Arming is rare: runs start in order, so a new run's deadline
/// is usually later than the one the timer already waits for.
/// </summary>
internal sealed class TimeoutWatchdog : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RunSlot[] _slots;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private long _armedAt = long.MaxValue;
    private bool _disposed;

    public TimeoutWatchdog(TimeProvider time, ILogger logger, RunSlot[] slots)
    {
        _time = time;
        _logger = logger;
        _slots = slots;
    }

    /// <summary>
    /// The deadline and the warning time of a run that started at <paramref name="startedAt"/> with
    /// <paramref name="timeout"/>: "long after" its timeout is as long again, at least a second and at most a minute.
    /// </summary>
    public (long Deadline, long WarnAt) Limits(long startedAt, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return (long.MaxValue, long.MaxValue);
        }

        var deadline = startedAt + ToTimestampTicks(timeout);
        return (deadline, deadline + ToTimestampTicks(Clamp(timeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1))));
    }

    /// <summary>Makes sure the timer fires by <paramref name="deadline"/> (a timestamp); nothing for <see cref="long.MaxValue"/>.</summary>
    public void Watch(long deadline)
    {
        if (deadline == long.MaxValue)
        {
            return;
        }

        lock (_gate)
        {
            if (!_disposed && deadline < _armedAt)
            {
                Arm(deadline);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    private void Arm(long at)
    {
        _armedAt = at;
        var delta = at - _time.GetTimestamp();
        var due = delta <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)delta / _time.TimestampFrequency);
        _timer ??= _time.CreateTimer(static s => ((TimeoutWatchdog)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        List<(RunSlot Slot, long Run)>? cancel = null;
        List<(RunSlot Slot, RunSlot.RunView View)>? warn = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var next = long.MaxValue;
            foreach (var slot in _slots)
            {
                var view = slot.Inspect();
                if (!view.Running || view.Deadline == long.MaxValue)
                {
                    continue;
                }

                if (!view.Cancelled)
                {
                    if (now >= view.Deadline)
                    {
                        (cancel ??= []).Add((slot, view.Run));
                        next = Math.Min(next, view.WarnAt);
                    }
                    else
                    {
                        next = Math.Min(next, view.Deadline);
                    }
                }
                else if (!view.Warned)
                {
                    if (now >= view.WarnAt)
                    {
                        (warn ??= []).Add((slot, view));
                    }
                    else
                    {
                        next = Math.Min(next, view.WarnAt);
                    }
                }
            }

            _armedAt = long.MaxValue;
            if (next != long.MaxValue)
            {
                Arm(next);
            }
        }

        // Outside the lock: a cancelled handler's continuation may run inline and start the next run.
        foreach (var (slot, run) in cancel ?? [])
        {
            slot.Cancel(run, CancelReason.Timeout);
        }

        foreach (var (slot, view) in warn ?? [])
        {
            if (slot.MarkWarned(view.Run))
            {
                Log.HandlerIgnoresCancellation(_logger, view.Handler, view.EventId, _time.GetElapsedTime(view.StartedAt));
            }
        }
    }

    private long ToTimestampTicks(TimeSpan duration) => (long)(duration.TotalSeconds * _time.TimestampFrequency);

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) => value < min ? min : value > max ? max : value;
}
