using System.Threading.Channels;

namespace EventKit.Internal.Processing;

/// <summary>
/// One run of a processor's pipeline: the buffer of leased events, the workers that take from it, the outcome
/// writer, the lease renewer and the timeout watchdog, and the way they stop. The claim loop (or a drain) feeds it.
/// In a drain (tests and the harness) claims happen only when everything claimed before is recorded, so runs are
/// deterministic, and the writer never waits on the clock.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "StopAsync disposes the renewer and the watchdog; every run is stopped by its owner.")]
internal sealed partial class ProcessorRun
{
    private readonly EventProcessor _processor;
    private readonly RunSlot[] _slots;
    private readonly TimeoutWatchdog _watchdog;
    private readonly LeaseRenewer _renewer;
    private readonly EventRunner _runner;
    private readonly Dictionary<HandlerDescriptor, HandlerLimiter>? _limiters;
    private readonly Dictionary<string, HandlerLimiter[]>? _limitersByType;
    private List<string>? _lastExcluded;
    private Task[] _workers = [];
    private volatile bool _stopping;
    private bool _caughtUp;
    private int _claimed;
    private int _completed;
    private int _failed;
    private int _deadLettered;
    private int _released;
    private long _nextRetryTicks = long.MaxValue;

    public ProcessorRun(EventProcessor processor, bool drain)
    {
        _processor = processor;
        IsDrain = drain;
        var options = processor.Options;
        Book = new LeaseBook(options.BatchSize, options.MaxConcurrency, options.MaxClaimPayloadSize);
        Buffer = Channel.CreateUnbounded<LeasedEvent>(new UnboundedChannelOptions { SingleWriter = true });
        _slots = new RunSlot[options.MaxConcurrency];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new RunSlot();
        }

        _watchdog = new TimeoutWatchdog(processor.Time, processor.Logger, _slots);
        _runner = new EventRunner(processor, new HandlerInvoker(processor, _watchdog), this);
        // A handler at its limit holds at most a claim's worth of parked events (BatchSize, MaxClaimPayloadSize):
        // enough to go on at once when a run ends, and no more, since claims pass over its event type meanwhile.
        // The limit is the handler class's (it guards the one service the class calls): a class that handles several
        // event types shares one limiter between them (its registrations share one set of options).
        Dictionary<Type, HandlerLimiter>? byClass = null;
        foreach (var handler in processor.Registry.All)
        {
            if (handler.Settings.MaxConcurrency is { } limit)
            {
                byClass ??= [];
                if (!byClass.TryGetValue(handler.HandlerType, out var limiter))
                {
                    limiter = new HandlerLimiter(limit, options.BatchSize, options.MaxClaimPayloadSize);
                    byClass.Add(handler.HandlerType, limiter);
                }

                (_limiters ??= []).Add(handler, limiter);
            }
        }

        _limitersByType = _limiters?.GroupBy(p => p.Key.EventType, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.Value).ToArray(), StringComparer.Ordinal);
        _renewer = new LeaseRenewer(processor, Book);
        Writer = new OutcomeWriter(processor, this);
    }

    public bool IsDrain { get; }

    public LeaseBook Book { get; }

    public Channel<LeasedEvent> Buffer { get; }

    public OutcomeWriter Writer { get; }

    public TimeProvider Time => _processor.Time;

    public bool IsStopping => _stopping;

    /// <summary>The lease owner this run claims for.</summary>
    public string Owner => _processor.Owner;

    public TimeSpan LeaseDuration => _processor.Options.LeaseDuration;

    /// <summary>
    /// The last claim found nothing more runnable: the store holds no backlog this run should take first, so events
    /// committed now may be handed to it directly (set by the claim loop).
    /// </summary>
    public bool CaughtUp
    {
        get => Volatile.Read(ref _caughtUp);
        set => Volatile.Write(ref _caughtUp, value);
    }

    public ProcessingSummary Summary => new(
        Volatile.Read(ref _claimed),
        Volatile.Read(ref _completed),
        Volatile.Read(ref _failed),
        Volatile.Read(ref _deadLettered),
        Volatile.Read(ref _released),
        Interlocked.Read(ref _nextRetryTicks) is var ticks && ticks != long.MaxValue ? new DateTimeOffset(ticks, TimeSpan.Zero) : null);

    /// <param name="flushOver">
    /// Cancelled <see cref="HardStopFlush"/> after the host's hard stop: the writer then gives up what it still holds
    /// (the outcomes of handlers that returned when cancelled are written meanwhile).
    /// </param>
    public void Start(CancellationToken flushOver)
    {
        Writer.Start(flushOver);
        _workers = new Task[_slots.Length];
        for (var i = 0; i < _slots.Length; i++)
        {
            _workers[i] = new EventWorker(this, _runner, _slots[i]).Start();
        }
    }

    /// <summary>Adds claimed events to the buffer, in the order the store returned them.</summary>
    public void Enqueue(IReadOnlyList<ClaimedEvent> claimed, DateTimeOffset leaseUntil)
    {
        foreach (var item in claimed)
        {
            var leased = new LeasedEvent(item, leaseUntil);
            if (!Book.TryAdd(leased))
            {
                continue;
            }

            if (!Buffer.Writer.TryWrite(leased))
            {
                // Claimed while stopping: released at once, without counting the attempt.
                Release(leased);
            }
        }

        Interlocked.Add(ref _claimed, claimed.Count);
        _renewer.Arm();
        Log.Claimed(_processor.Logger, _processor.Owner, claimed.Count);
    }

    /// <summary>
    /// Gives an event this run will not run (further) back to the store, without counting the attempt: one never
    /// started, or one parked at a handler's limit (with the runs it already had, and its slot passed on).
    /// </summary>
    public void Release(LeasedEvent leased, bool buffered = true)
    {
        if (buffered)
        {
            Book.Unbuffer();
        }

        Book.Finished(leased);
        var progress = leased.Progress;
        leased.Progress = null;
        if (progress?.HeldSlot is { } slot)
        {
            ExitLimiter(slot);
        }

        Writer.Post(leased, new EventOutcome
        {
            EventId = leased.Event.Id,
            Status = EventStatus.Pending,
            AvailableAt = Time.GetUtcNow(),
            Error = progress?.LastError,
            Logs = progress?.Recorded ?? [],
        });
    }

    /// <summary>The concurrency limiter of <paramref name="handler"/>, if it has one.</summary>
    public HandlerLimiter? LimiterFor(HandlerDescriptor handler) =>
        _limiters is not null && _limiters.TryGetValue(handler, out var limiter) ? limiter : null;

    public void Park(LeasedEvent leased) => Book.Park(leased);

    public void Unpark(LeasedEvent leased, RunSlot slot) => Book.Unpark(leased, slot);

    /// <summary>
    /// The event types the claim about to be made passes over: those with a handler whose limiter is full (as many
    /// events parked at its limit as it holds). <see langword="null"/> when there are none.
    /// </summary>
    public List<string>? ExcludedTypes()
    {
        List<string>? excluded = null;
        foreach (var (type, limiters) in _limitersByType ?? [])
        {
            if (IsFull(limiters))
            {
                (excluded ??= []).Add(type);
            }
        }

        Volatile.Write(ref _lastExcluded, excluded);
        return excluded;
    }

    /// <summary>
    /// Whether a hand-off passes over <paramref name="type"/>: while its handler's limiter is full, and until a claim
    /// that no longer excludes it has taken the type's events the store kept meanwhile (so a new event of the type
    /// never starts before them).
    /// </summary>
    public bool IsExcluded(string type) =>
        _limitersByType is not null && _limitersByType.TryGetValue(type, out var limiters)
        && (IsFull(limiters) || Volatile.Read(ref _lastExcluded)?.Contains(type) == true);

    private static bool IsFull(HandlerLimiter[] limiters)
    {
        foreach (var limiter in limiters)
        {
            if (limiter.IsFull)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Ends a run of a limited handler: its slot passes to the event parked longest, which goes back to the workers.</summary>
    public void ExitLimiter(HandlerLimiter limiter)
    {
        if (limiter.Exit(out var relieved) is not { } next)
        {
            return;
        }

        if (relieved && !IsDrain)
        {
            // Claims passed over the handler's event type while it was full: the idle claim loop claims again now.
            _processor.WakeUp();
        }

        next.Progress!.HeldSlot = limiter;
        Book.Resume(next);
        if (!Buffer.Writer.TryWrite(next))
        {
            // Stopping: the buffer is closed, so the event is released (and the slot passed on again).
            Release(next);
        }
    }

    public void Heartbeat() => _processor.Heartbeat.Beat(Time.GetUtcNow());

    /// <summary>Called by the writer for every outcome the store accepted.</summary>
    public void Recorded(LeasedEvent leased, EventOutcome outcome)
    {
        Book.Remove(leased);
        switch (outcome.Status)
        {
            case EventStatus.Completed:
                Interlocked.Increment(ref _completed);
                break;
            case EventStatus.DeadLetter:
                Interlocked.Increment(ref _deadLettered);
                break;
            case EventStatus.Failed:
                Interlocked.Increment(ref _failed);
                var ticks = outcome.AvailableAt!.Value.UtcTicks;
                long seen;
                while (ticks < (seen = Interlocked.Read(ref _nextRetryTicks)) && Interlocked.CompareExchange(ref _nextRetryTicks, ticks, seen) != seen)
                {
                }

                if (!IsDrain)
                {
                    // The claim loop wakes when the retry comes due.
                    _processor.Signal.Notify(outcome.AvailableAt.Value);
                }

                break;
            default:
                Interlocked.Increment(ref _released);
                if (leased.WakeWhenReleased && !IsDrain)
                {
                    _processor.Signal.Notify(outcome.AvailableAt ?? Time.GetUtcNow());
                }

                break;
        }

        try
        {
            _processor.Telemetry.Settled(leased.Event, outcome);
            _processor.OutcomeObserver?.Invoke(leased.Event, outcome);
        }
        catch (Exception ex)
        {
            Log.TelemetryFailed(_processor.Logger, "settle", leased.Event.Id, ex);
        }
    }

    /// <summary>The outcome of an event whose processing failed in EventKit itself: retried soon.</summary>
    public static EventOutcome Unexpected(LeasedEvent leased, Exception exception, DateTimeOffset now) => new()
    {
        EventId = leased.Event.Id,
        Status = EventStatus.Failed,
        AvailableAt = now,
        Error = ErrorText.Sanitize(Describe.Full(exception)),
    };
}
