using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Internal.Processing;

/// <summary>
/// A processor: one lease owner that claims events and runs their handlers through a <see cref="ProcessorRun"/>
/// pipeline. The hosted <see cref="EventProcessorService"/> runs it until the host stops (<see cref="RunAsync"/>);
/// the test harness and tests drain it deterministically (<see cref="DrainAsync"/>). Both use the same pipeline.
/// </summary>
internal sealed class EventProcessor
{
    public EventProcessor(
        IServiceScopeFactory scopes,
        HandlerRegistry registry,
        IOptions<EventKitOptions> options,
        TimeProvider time,
        ILogger<EventProcessor> logger,
        EventKitTelemetry telemetry,
        EventSignal signal,
        ProcessorHeartbeat heartbeat,
        RetryPolicy retry,
        EventHandOff handOff,
        IEnumerable<IEventStoreWatcher> watchers,
        IEnumerable<IHandlerRunObserver> runObservers)
        : this(scopes, registry, options.Value, time, logger, telemetry, signal, heartbeat, retry, handOff, CreateOwnerId())
    {
        Watchers = [.. watchers];
        RunObservers = [.. runObservers];
    }

    internal EventProcessor(
        IServiceScopeFactory scopes,
        HandlerRegistry registry,
        EventKitOptions options,
        TimeProvider time,
        ILogger logger,
        EventKitTelemetry telemetry,
        EventSignal signal,
        ProcessorHeartbeat heartbeat,
        RetryPolicy retry,
        EventHandOff handOff,
        string owner)
    {
        HandOff = handOff;
        Scopes = scopes;
        Registry = registry;
        Options = options;
        Time = time;
        Logger = logger;
        Telemetry = telemetry;
        Signal = signal;
        Heartbeat = heartbeat;
        Retry = retry;
        Owner = owner;
    }

    /// <summary>The lease owner id: machine, process id and a random part, unique per processor instance.</summary>
    public string Owner { get; }

    public EventKitOptions Options { get; }

    public IServiceScopeFactory Scopes { get; }

    public HandlerRegistry Registry { get; }

    public TimeProvider Time { get; }

    /// <summary>
    /// The clock of <see cref="EventKitOptions.OutcomeBatchWindow"/>: the system's, since the processor's may be a test's
    /// that nothing advances while the writer waits for company; tests replace it to hold the window open.
    /// </summary>
    internal TimeProvider WindowClock { get; set; } = TimeProvider.System;

    public ILogger Logger { get; }

    public EventKitTelemetry Telemetry { get; }

    public EventSignal Signal { get; }

    /// <summary>What tells a hosted run that events were committed elsewhere (<see cref="RunAsync"/> only).</summary>
    public IReadOnlyList<IEventStoreWatcher> Watchers { get; } = [];

    public ProcessorHeartbeat Heartbeat { get; }

    public RetryPolicy Retry { get; }

    /// <summary>Where transactional stores hand events committed in this process to a running processor (<see cref="RunAsync"/> only).</summary>
    public EventHandOff HandOff { get; }

    /// <summary>Told after every handler run, with its log entry and, for a failure, the exception (the test harness).</summary>
    public IReadOnlyList<IHandlerRunObserver> RunObservers { get; } = [];

    /// <summary>Set while <see cref="RunAsync"/> or a public drain (<see cref="EventDrainer"/>) runs: they would share <see cref="Owner"/>.</summary>
    internal int Active;

    /// <summary>Called for every outcome the store accepted (tests and benchmarks wait on it).</summary>
    public Action<EventRecord, EventOutcome>? OutcomeObserver { get; set; }

    /// <summary>
    /// Processes events until <paramref name="stoppingToken"/> is cancelled, then stops: nothing new is claimed or
    /// started, running handlers get <see cref="EventKitOptions.ShutdownTimeout"/> before their tokens are cancelled,
    /// and known outcomes are written. Returns when that is done, or when <paramref name="hardStopToken"/> is cancelled.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken, CancellationToken hardStopToken = default)
    {
        Interlocked.Increment(ref Active);
        try
        {
            await RunCoreAsync(stoppingToken, hardStopToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref Active);
        }
    }

    private async Task RunCoreAsync(CancellationToken stoppingToken, CancellationToken hardStopToken)
    {
        var run = new ProcessorRun(this, drain: false);
        using var abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, Time);
        using var onAbort = abort.Token.UnsafeRegister(static s => ((ProcessorRun)s!).Abort(), run);
        using var onStopping = stoppingToken.UnsafeRegister(
            static s =>
            {
                var (run, source, grace, handOff) = ((ProcessorRun, CancellationTokenSource, TimeSpan, EventHandOff))s!;
                handOff.Detach(run);
                run.BeginStopping();
                CancelSafely(source, grace);
            },
            (run, abort, Options.ShutdownTimeout, HandOff));
        using var onHardStop = hardStopToken.UnsafeRegister(static s => CancelSafely((CancellationTokenSource)s!, TimeSpan.Zero), abort);

        // What still needs the store after a hard stop (the outcomes of handlers that returned when cancelled, then the
        // heartbeat row's removal) has until HardStopFlush after it, by the real clock.
        using var flushOver = new CancellationTokenSource();
        using var onFlushOver = hardStopToken.UnsafeRegister(static s => CancelSafely((CancellationTokenSource)s!, ProcessorRun.HardStopFlush), flushOver);

        run.Start(flushOver.Token);
        Log.ProcessorStarted(Logger, Owner);
        var heartbeat = new HeartbeatWriter(this, run);
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var beating = heartbeat.RunAsync(heartbeatStop.Token);
        HandOff.Attach(run);
        var watchers = StoreWatchers.Start(this);
        try
        {
            var claims = new ClaimLoop(this, run);
            await using (claims.ConfigureAwait(false))
            {
                await claims.RunAsync(stoppingToken, abort.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            HandOff.Detach(run);
            await watchers.StopAsync().ConfigureAwait(false);
            await run.StopAsync(hardStopToken, abort.Token).ConfigureAwait(false);
            await heartbeatStop.CancelAsync().ConfigureAwait(false);
            await beating.ConfigureAwait(false);
            await heartbeat.RemoveAsync(flushOver.Token).ConfigureAwait(false);
            Log.ProcessorStopped(Logger, Owner);
        }
    }

    /// <summary>
    /// Processes everything runnable now, including what handlers publish and retries that come due at once, and
    /// returns when a claim finds nothing. Claims only when everything claimed before is recorded, so what runs,
    /// and in which order, depends on the store alone. A store that fails ends the drain with its error.
    /// </summary>
    /// <param name="maxEvents">Stops claiming once this many events were claimed (handlers that keep publishing).</param>
    /// <param name="abortToken">Cancels running handlers; their events are released.</param>
    /// <param name="cancellationToken">Stops claiming; unstarted events are released, running handlers finish.</param>
    public async Task<ProcessingSummary> DrainAsync(int maxEvents = int.MaxValue, CancellationToken abortToken = default, CancellationToken cancellationToken = default)
    {
        var run = new ProcessorRun(this, drain: true);
        using var onAbort = abortToken.UnsafeRegister(static s => ((ProcessorRun)s!).Abort(), run);
        using var onStopping = cancellationToken.UnsafeRegister(static s => ((ProcessorRun)s!).BeginStopping(), run);
        run.Start(CancellationToken.None);
        try
        {
            var claims = new ClaimLoop(this, run);
            await using (claims.ConfigureAwait(false))
            {
                while (!cancellationToken.IsCancellationRequested
                    && run.Summary.Claimed < maxEvents
                    && await claims.ClaimAsync(Options.BatchSize, cancellationToken).ConfigureAwait(false) > 0)
                {
                    await run.Book.WaitForQuiescenceAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stop as asked: unstarted events are released below.
        }
        finally
        {
            await run.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        // A writer that failed while stopping (after the last wait) still fails the drain.
        run.Book.ThrowIfFaulted();
        return run.Summary;
    }

    /// <summary>Runnable events may exist in the store now (a watcher saw a commit elsewhere): the idle claim loop claims at once.</summary>
    public void WakeUp() => Signal.Notify(DateTimeOffset.MinValue);

    private static void CancelSafely(CancellationTokenSource source, TimeSpan delay)
    {
        try
        {
            source.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // The run already ended.
        }
    }

    private static string CreateOwnerId()
    {
        var machine = Environment.MachineName;
        if (machine.Length > 64)
        {
            machine = machine[..64];
        }

        return $"{machine}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    }
}
