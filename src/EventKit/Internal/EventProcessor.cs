using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

/// <summary>
/// Claims a batch of events with a lease, runs the handlers that have not yet succeeded for each (bounded
/// concurrency, one DI scope and a timeout per handler run), renews the lease while they run, and records every
/// handler run and the resulting status in one settle call. Has no loop of its own: the hosted
/// <see cref="EventProcessorService"/> and the test harness drive it.
/// </summary>
internal sealed class EventProcessor : IDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly HandlerRegistry _registry;
    private readonly EventKitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EventKitTelemetry _telemetry;
    private readonly LeaseKeeper _leases;

    public EventProcessor(IServiceScopeFactory scopes, HandlerRegistry registry, IOptions<EventKitOptions> options, TimeProvider time, ILogger<EventProcessor> logger, EventKitTelemetry telemetry)
        : this(scopes, registry, options, time, logger, telemetry, CreateOwnerId())
    {
    }

    internal EventProcessor(IServiceScopeFactory scopes, HandlerRegistry registry, IOptions<EventKitOptions> options, TimeProvider time, ILogger<EventProcessor> logger, EventKitTelemetry telemetry, string owner)
    {
        _telemetry = telemetry;
        _scopes = scopes;
        _registry = registry;
        _options = options.Value;
        _time = time;
        _logger = logger;
        Owner = owner;
        _leases = new LeaseKeeper(this);
    }

    /// <summary>The lease owner id: machine, process id and a random part, unique per processor instance.</summary>
    public string Owner { get; }

    public EventKitOptions Options => _options;

    /// <summary>Called after every handler run with its log entry and, for a failure, the exception (for the test harness).</summary>
    public Action<EventRecord, EventLogEntry, Exception?>? HandlerRunObserver { get; set; }

    /// <summary>Stops the lease-renewal timer.</summary>
    public void Dispose() => _leases.Dispose();

    /// <summary>Claims and processes one batch.</summary>
    /// <param name="stoppingToken">Once cancelled, nothing new is claimed or started; unstarted events are released.</param>
    /// <param name="abortToken">Once cancelled, running handlers are cancelled and their events released.</param>
    public async Task<BatchResult> ProcessBatchAsync(CancellationToken stoppingToken = default, CancellationToken abortToken = default)
    {
        if (stoppingToken.IsCancellationRequested)
        {
            return BatchResult.Empty;
        }

        var now = _time.GetUtcNow();
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var store = scope.ServiceProvider.GetRequiredService<IEventStore>();
            var claimed = await store.ClaimAsync(Owner, _options.BatchSize, now, now + _options.LeaseDuration, stoppingToken).ConfigureAwait(false);
            if (claimed.Count == 0)
            {
                return BatchResult.Empty;
            }

            var decisions = new Decision[claimed.Count];
            var lease = _leases.Start(claimed);
            try
            {
                await RunAllAsync(claimed, decisions, stoppingToken, abortToken).ConfigureAwait(false);
            }
            finally
            {
                await _leases.StopAsync(lease).ConfigureAwait(false);
            }

            var outcomes = await SettleAsync(store, claimed, decisions).ConfigureAwait(false);
            var result = Summarize(outcomes);
            if (result.Released > 0)
            {
                Log.Released(_logger, Owner, result.Released);
            }

            Log.BatchProcessed(_logger, Owner, claimed.Count);
            return result;
        }
    }

    private async Task RunAllAsync(IReadOnlyList<ClaimedEvent> claimed, Decision[] decisions, CancellationToken stoppingToken, CancellationToken abortToken)
    {
        var workers = Math.Min(_options.MaxConcurrency, claimed.Count);
        if (workers == 1)
        {
            using var timeouts = new HandlerTimeouts(_time, abortToken);
            for (var i = 0; i < claimed.Count; i++)
            {
                decisions[i] = await ProcessEventAsync(claimed[i], timeouts, stoppingToken, abortToken).ConfigureAwait(false);
            }

            return;
        }

        var next = -1;
        async Task WorkAsync()
        {
            using var timeouts = new HandlerTimeouts(_time, abortToken);
            int i;
            while ((i = Interlocked.Increment(ref next)) < claimed.Count)
            {
                decisions[i] = await ProcessEventAsync(claimed[i], timeouts, stoppingToken, abortToken).ConfigureAwait(false);
            }
        }

        var tasks = new Task[workers];
        for (var w = 1; w < workers; w++)
        {
            tasks[w] = Task.Run(WorkAsync, CancellationToken.None);
        }

        tasks[0] = WorkAsync();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async ValueTask<Decision> ProcessEventAsync(ClaimedEvent claimed, HandlerTimeouts timeouts, CancellationToken stoppingToken, CancellationToken abortToken)
    {
        var record = claimed.Event;
        if (stoppingToken.IsCancellationRequested)
        {
            return Decision.Release([], null);
        }

        var handlers = _registry.GetHandlers(record.Type);
        if (handlers.Count == 0)
        {
            Log.NoHandler(_logger, record.Id, record.Type);
            return _options.DeadLetterUnhandledEvents
                ? DeadLetter(record, $"No handler is registered for event type '{record.Type}' and EventKitOptions.DeadLetterUnhandledEvents is true.", [])
                : Decision.Completed([]);
        }

        if (record.Attempts > _options.MaxAttempts)
        {
            return DeadLetter(
                record,
                $"Attempt {record.Attempts} exceeds MaxAttempts ({_options.MaxAttempts}): earlier attempts ended without an outcome (the processor holding the lease stopped or crashed).",
                []);
        }

        var logs = new List<EventLogEntry>(handlers.Count);
        string? lastError = null;
        bool failed = false, permanent = false, interrupted = false;
        Type? cachedType = null;
        object? cachedPayload = null;

        for (var h = 0; h < handlers.Count; h++)
        {
            var handler = handlers[h];
            if (claimed.SucceededHandlers.Count > 0 && claimed.SucceededHandlers.Contains(handler.Name))
            {
                continue;
            }

            // A scope per handler run: a handler that fails must not leave tracked changes (a DbContext's, say)
            // for the next handler of the same event to save.
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {

                using var activity = EventKitTelemetry.StartProcess(record, handler.Name);
                var started = _time.GetTimestamp();
                object? payload;
                try
                {
                    if (cachedType != handler.PayloadType)
                    {
                        cachedPayload = handler.Deserialize(record.Payload, _options.SerializerOptions)
                            ?? throw new JsonException("The payload is JSON null.");
                        cachedType = handler.PayloadType;
                    }

                    payload = cachedPayload;
                }
                catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
                {
                    Log.PayloadInvalid(_logger, handler.Name, record.Id, record.Type, ex);
                    EventKitTelemetry.SetError(activity, ex);
                    failed = permanent = true;
                    lastError = EventValidation.Truncate($"The payload cannot be deserialized to '{handler.PayloadType.FullName}': {ex.Message}");
                    Record(logs, record, LogEntry(record, handler, lastError, started), ex);
                    continue;
                }

                var (error, kind) = await InvokeAsync(handler, scope.ServiceProvider, record, payload, timeouts, started, abortToken).ConfigureAwait(false);
                if (error is null)
                {
                    Record(logs, record, LogEntry(record, handler, null, started), null);
                    continue;
                }

                EventKitTelemetry.SetError(activity, error);
                failed = true;
                permanent |= kind == FailureKind.Permanent;
                interrupted |= kind == FailureKind.Interrupted;
                if (kind != FailureKind.Interrupted)
                {
                    Log.HandlerFailed(_logger, handler.Name, record.Id, record.Type, record.Attempts, error);
                }

                lastError = EventValidation.Truncate(error.ToString());
                Record(logs, record, LogEntry(record, handler, lastError, started), error);
            }
        }

        if (!failed)
        {
            return Decision.Completed(logs);
        }

        if (permanent)
        {
            return DeadLetter(record, lastError, logs);
        }

        if (interrupted)
        {
            return Decision.Release(logs, lastError);
        }

        if (record.Attempts >= _options.MaxAttempts)
        {
            return DeadLetter(record, EventValidation.Truncate($"Failed after {record.Attempts} attempts (MaxAttempts). Last error: {lastError}"), logs);
        }

        var retryAt = _time.GetUtcNow() + RetryBackoff.Compute(record.Attempts, _options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared.NextDouble());
        Log.RetryScheduled(_logger, record.Id, record.Type, record.Attempts, retryAt);
        return new Decision(EventStatus.Failed, retryAt, lastError, logs);
    }

    private async ValueTask<(Exception? Error, FailureKind Kind)> InvokeAsync(HandlerDescriptor handler, IServiceProvider services, EventRecord record, object? payload, HandlerTimeouts timeouts, long started, CancellationToken abortToken)
    {
        var timeout = _options.HandlerTimeout;
        var timeoutSource = timeout == Timeout.InfiniteTimeSpan ? null : timeouts.Source();
        var token = timeoutSource?.Token ?? abortToken;
        Task? task = null;
        try
        {
            task = handler.InvokeAsync(services, record, payload, token);
            if (task.IsCompleted || !token.CanBeCanceled)
            {
                await task.ConfigureAwait(false);
            }
            else
            {
                // The timer is armed only once the handler goes asynchronous (a handler that completes synchronously
                // costs no timer), for what is left of the timeout since the run started.
                if (timeoutSource is not null)
                {
                    timeouts.Arm(timeout - _time.GetElapsedTime(started));
                }

                // WaitAsync stops waiting for a handler that ignores its token; the run is then counted as failed.
                await task.WaitAsync(token).ConfigureAwait(false);
            }

            return (null, FailureKind.None);
        }
        catch (Exception ex)
        {
            if (task is { IsCompleted: false })
            {
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            if (ex is OperationCanceledException && abortToken.IsCancellationRequested)
            {
                return (new OperationCanceledException($"Handler '{handler.Name}' was cancelled because the host stopped and EventKitOptions.ShutdownTimeout ({_options.ShutdownTimeout}) elapsed.", ex), FailureKind.Interrupted);
            }

            if (ex is OperationCanceledException && timeoutSource is { IsCancellationRequested: true })
            {
                return (new TimeoutException($"Handler '{handler.Name}' did not finish within EventKitOptions.HandlerTimeout ({timeout}).", ex), FailureKind.Retryable);
            }

            return (ex, ex is NonRetryableEventException ? FailureKind.Permanent : FailureKind.Retryable);
        }
        finally
        {
            if (timeoutSource is not null)
            {
                timeouts.End();
            }
        }
    }

    private async Task<EventOutcome[]> SettleAsync(IEventStore store, IReadOnlyList<ClaimedEvent> claimed, Decision[] decisions)
    {
        // One time for the whole batch lets a database store complete it with a single statement.
        var settledAt = _time.GetUtcNow();
        var outcomes = new EventOutcome[decisions.Length];
        for (var i = 0; i < decisions.Length; i++)
        {
            var decision = decisions[i];
            outcomes[i] = new EventOutcome
            {
                EventId = claimed[i].Event.Id,
                Status = decision.Status,
                ProcessedAt = decision.Status is EventStatus.Completed or EventStatus.DeadLetter ? settledAt : null,
                AvailableAt = decision.Status switch
                {
                    EventStatus.Failed => decision.AvailableAt,
                    EventStatus.Pending => settledAt,
                    _ => null,
                },
                Error = decision.Error,
                Logs = decision.Logs,
            };
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Not cancellable: the outcome of handlers that already ran must be recorded even while stopping.
                var applied = await store.SettleAsync(outcomes, Owner, CancellationToken.None).ConfigureAwait(false);
                if (applied < outcomes.Length)
                {
                    Log.LeasesLost(_logger, Owner, outcomes.Length - applied);
                }

                for (var i = 0; i < outcomes.Length; i++)
                {
                    _telemetry.Settled(claimed[i].Event, outcomes[i]);
                }

                return outcomes;
            }
            catch (Exception ex) when (attempt < 3)
            {
                Log.SettleFailed(_logger, Owner, outcomes.Length, attempt, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), _time).ConfigureAwait(false);
            }
        }
    }

    private Decision DeadLetter(EventRecord record, string? reason, List<EventLogEntry> logs)
    {
        Log.DeadLettered(_logger, record.Id, record.Type, record.Attempts);
        return new Decision(EventStatus.DeadLetter, null, reason, logs);
    }

    private void Record(List<EventLogEntry> logs, EventRecord record, EventLogEntry entry, Exception? exception)
    {
        logs.Add(entry);
        _telemetry.HandlerRan(record.Type, entry.Action, entry.Result == EventLogResult.Success, entry.Duration);
        HandlerRunObserver?.Invoke(record, entry, exception);
    }

    private EventLogEntry LogEntry(EventRecord record, HandlerDescriptor handler, string? error, long started)
    {
        var now = _time.GetUtcNow();
        return new EventLogEntry
        {
            Id = Guid.CreateVersion7(now),
            EventId = record.Id,
            Action = handler.Name,
            PerformedBy = record.Actor,
            Result = error is null ? EventLogResult.Success : EventLogResult.Failure,
            Error = error,
            Attempt = record.Attempts,
            Duration = _time.GetElapsedTime(started),
            CreatedAt = now,
        };
    }

    private static BatchResult Summarize(EventOutcome[] outcomes)
    {
        int completed = 0, failed = 0, deadLettered = 0, released = 0;
        DateTimeOffset? nextRetry = null;
        foreach (var outcome in outcomes)
        {
            switch (outcome.Status)
            {
                case EventStatus.Completed:
                    completed++;
                    break;
                case EventStatus.Failed:
                    failed++;
                    if (nextRetry is null || outcome.AvailableAt < nextRetry)
                    {
                        nextRetry = outcome.AvailableAt;
                    }

                    break;
                case EventStatus.DeadLetter:
                    deadLettered++;
                    break;
                default:
                    released++;
                    break;
            }
        }

        return new BatchResult(outcomes.Length, completed, failed, deadLettered, released, nextRetry);
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

    /// <summary>What processing decided for one event; settling turns it into an <see cref="EventOutcome"/> with the batch's time.</summary>
    private readonly record struct Decision(EventStatus Status, DateTimeOffset? AvailableAt, string? Error, IReadOnlyList<EventLogEntry> Logs)
    {
        public static Decision Completed(IReadOnlyList<EventLogEntry> logs) => new(EventStatus.Completed, null, null, logs);

        public static Decision Release(IReadOnlyList<EventLogEntry> logs, string? error) => new(EventStatus.Pending, null, error, logs);
    }

    /// <summary>
    /// One reusable timeout source per worker: a handler run that goes asynchronous arms it with CancelAfter, and the
    /// end of the run disarms it with TryReset, so a run costs no timer or token source allocation, and a run that
    /// completes synchronously does not touch the timer at all. Cancelling the abort token cancels it too.
    /// </summary>
    private sealed class HandlerTimeouts(TimeProvider time, CancellationToken abortToken) : IDisposable
    {
        private CancellationTokenSource? _source;
        private CancellationTokenRegistration _abort;
        private bool _armed;

        /// <summary>The (not yet armed) source for the next run.</summary>
        public CancellationTokenSource Source()
        {
            if (_source is null)
            {
                _source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
                _abort = abortToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
            }

            return _source;
        }

        public void Arm(TimeSpan remaining)
        {
            _armed = true;
            if (remaining > TimeSpan.Zero)
            {
                _source!.CancelAfter(remaining);
            }
            else
            {
                _source!.Cancel();
            }
        }

        public void End()
        {
            if (_source is null)
            {
                return;
            }

            // A source that fired (timeout or abort) cannot be reset: replace it at the next run. An unarmed source
            // that nothing cancelled is reused as it is.
            if (_source.IsCancellationRequested || (_armed && !_source.TryReset()))
            {
                Dispose();
            }

            _armed = false;
        }

        public void Dispose()
        {
            _abort.Dispose();
            _source?.Dispose();
            _source = null;
        }
    }

    private enum FailureKind
    {
        None,
        Retryable,
        Permanent,
        Interrupted,
    }

    /// <summary>
    /// Renews the leases of the batches in progress every third of the lease duration. One timer per processor,
    /// armed while batches run and disarmed at the first tick that finds none, so a batch costs no timer of its own;
    /// the first renewal of a batch comes at most one period after its claim, well inside its lease.
    /// </summary>
    private sealed class LeaseKeeper(EventProcessor processor) : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly List<BatchLease> _active = [];
        private ITimer? _timer;
        private bool _armed;
        private bool _disposed;

        public BatchLease Start(IReadOnlyList<ClaimedEvent> claimed)
        {
            var ids = new Guid[claimed.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = claimed[i].Event.Id;
            }

            var lease = new BatchLease(ids);
            lock (_gate)
            {
                _active.Add(lease);
                if (!_armed && !_disposed)
                {
                    var period = processor._options.LeaseDuration / 3;
                    if (_timer is null)
                    {
                        _timer = processor._time.CreateTimer(static s => ((LeaseKeeper)s!).OnTick(), this, period, period);
                    }
                    else
                    {
                        _timer.Change(period, period);
                    }

                    _armed = true;
                }
            }

            return lease;
        }

        /// <summary>Stops renewing <paramref name="lease"/> and waits for a renewal of it that is running.</summary>
        public Task StopAsync(BatchLease lease)
        {
            lock (_gate)
            {
                _active.Remove(lease);
                return lease.Running;
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _armed = false;
                _timer?.Dispose();
            }
        }

        private void OnTick()
        {
            lock (_gate)
            {
                if (_active.Count == 0 || _disposed)
                {
                    // Idle: stop ticking until the next batch.
                    if (_armed && !_disposed)
                    {
                        _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    }

                    _armed = false;
                    return;
                }

                foreach (var lease in _active)
                {
                    if (lease.Renewing)
                    {
                        // The previous renewal is still finishing: it renews once more when done, so no tick is lost.
                        lease.Again = true;
                    }
                    else
                    {
                        lease.Renewing = true;
                        lease.Running = RenewAsync(lease);
                    }
                }
            }
        }

        private async Task RenewAsync(BatchLease lease)
        {
            // Off the timer's thread and out of the lock before touching the store.
            await Task.Yield();
            while (true)
            {
                await RenewOnceAsync(lease.Ids).ConfigureAwait(false);
                lock (_gate)
                {
                    if (!lease.Again || !_active.Contains(lease))
                    {
                        lease.Again = false;
                        lease.Renewing = false;
                        return;
                    }

                    lease.Again = false;
                }
            }
        }

        private async Task RenewOnceAsync(Guid[] ids)
        {
            try
            {
                var scope = processor._scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    var store = scope.ServiceProvider.GetRequiredService<IEventStore>();
                    var until = processor._time.GetUtcNow() + processor._options.LeaseDuration;
                    var renewed = await store.RenewLeasesAsync(ids, processor.Owner, until).ConfigureAwait(false);
                    if (renewed < ids.Length)
                    {
                        Log.LeasesLost(processor._logger, processor.Owner, ids.Length - renewed);
                    }
                }
            }
            catch (Exception ex)
            {
                Log.RenewFailed(processor._logger, processor.Owner, ex);
            }
        }
    }

    /// <summary>The event ids of one batch in progress and its running renewal.</summary>
    private sealed class BatchLease(Guid[] ids)
    {
        public Guid[] Ids { get; } = ids;

        public Task Running { get; set; } = Task.CompletedTask;

        /// <summary>A renewal loop is running (guarded by the keeper's lock).</summary>
        public bool Renewing { get; set; }

        /// <summary>A tick came while renewing: renew once more (guarded by the keeper's lock).</summary>
        public bool Again { get; set; }
    }
}
