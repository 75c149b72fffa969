using System.Threading.Channels;

namespace EventKit.Internal.Processing;

/// <summary>
/// Records outcomes as they arrive, in groups: each write takes every outcome that arrived meanwhile (up to
/// <see cref="MaxGroup"/>), so the group grows with the load; a group that starts alone first waits up to
/// <see cref="EventKitOptions.OutcomeBatchWindow"/> for company (<see cref="WaitForGroupAsync"/>). A group that
/// fails is written again one outcome at a time, so one outcome the store refuses never holds back the others.
/// When nothing can be written (the store is unreachable) the writer keeps the outcomes and retries with backoff
/// for as long as their leases last. In a drain (tests, the harness) it never waits: a store that refuses every
/// outcome ends the drain with that error.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The writer's loop disposes its store scope when it ends; the run always ends the loop.")]
internal sealed class OutcomeWriter
{
    public const int MaxGroup = 1000;

    /// <summary>Failed writes of single outcomes, without any success, after which a failed group means the store is down.</summary>
    private const int ProbesBeforeStoreDown = 2;

    private readonly EventProcessor _processor;
    private readonly ProcessorRun _run;
    private readonly Channel<LeasedEvent> _queue = Channel.CreateUnbounded<LeasedEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly OutcomeRetries _retries;
    private readonly StoreScope _store;
    private readonly TimeSpan _window;
    private readonly int _fullGroup;
    private Task _loop = Task.CompletedTask;

    /// <summary>Completed to end the current wait for a group early (<see cref="WaitForGroupAsync"/>); null when none waits.</summary>
    private TaskCompletionSource? _groupReady;

    /// <summary>Outcomes posted since the last group was taken that must not wait (ordered events).</summary>
    private int _urgent;

    /// <summary>Outcomes in the queue (a single-reader channel cannot count them).</summary>
    private int _queued;

    /// <summary>No more outcomes come (<see cref="Complete"/>): nothing is worth waiting for.</summary>
    private volatile bool _completed;

    public OutcomeWriter(EventProcessor processor, ProcessorRun run)
    {
        _processor = processor;
        _run = run;
        _store = new StoreScope(processor.Scopes);
        _retries = new OutcomeRetries(processor, run);
        _window = run.IsDrain ? TimeSpan.Zero : processor.Options.OutcomeBatchWindow;
        _fullGroup = Math.Min(processor.Options.BatchSize, MaxGroup);
    }

    public Task Completion => _loop;

    public void Start(CancellationToken hardStop) => _loop = Task.Run(() => LoopAsync(hardStop), CancellationToken.None);

    public void Post(LeasedEvent leased, EventOutcome outcome)
    {
        leased.Outcome = outcome;
        var queued = Interlocked.Increment(ref _queued);
        _queue.Writer.TryWrite(leased);
        if (leased.Event.Ordering != EventOrdering.None)
        {
            Interlocked.Increment(ref _urgent);
            Volatile.Read(ref _groupReady)?.TrySetResult();
        }
        else if (queued >= _fullGroup)
        {
            Volatile.Read(ref _groupReady)?.TrySetResult();
        }
    }

    /// <summary>No more outcomes come; the loop ends once it has recorded (or given up on) the ones it has.</summary>
    public void Complete()
    {
        _completed = true;
        _queue.Writer.TryComplete();
        Volatile.Read(ref _groupReady)?.TrySetResult();
    }

    private async Task LoopAsync(CancellationToken hardStop)
    {
        var reader = _queue.Reader;
        var group = new List<LeasedEvent>();
        try
        {
            while (true)
            {
                if (!_retries.IsDue(_processor.Time.GetUtcNow()) && !await WaitAsync(reader, hardStop).ConfigureAwait(false))
                {
                    return;
                }

                group.Clear();
                if (_retries.IsDue(_processor.Time.GetUtcNow()))
                {
                    _retries.TakeInto(group);
                }
                else if (_retries.Count == 0 && _window > TimeSpan.Zero)
                {
                    await WaitForGroupAsync(hardStop).ConfigureAwait(false);
                }

                Volatile.Write(ref _urgent, 0);

                // Outcomes that arrived meanwhile join the group (while the store is down, WaitAsync held them back
                // until the retry was due).
                while (group.Count < MaxGroup && reader.TryRead(out var leased))
                {
                    Interlocked.Decrement(ref _queued);
                    group.Add(leased);
                }

                if (group.Count > 0)
                {
                    await WriteAsync(group, hardStop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            var left = _retries.Abandon();
            while (reader.TryRead(out _))
            {
                left++;
            }

            if (left > 0)
            {
                Log.OutcomesAbandoned(_processor.Logger, _processor.Owner, left);
            }
        }
        catch (Exception ex) when (_run.IsDrain)
        {
            _run.Book.Fault(ex);
        }
        finally
        {
            await _store.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for new outcomes or the next retry; returns <see langword="false"/> when there is nothing left to do.</summary>
    private async ValueTask<bool> WaitAsync(ChannelReader<LeasedEvent> reader, CancellationToken hardStop)
    {
        if (_retries.Count == 0)
        {
            return await reader.WaitToReadAsync(hardStop).ConfigureAwait(false);
        }

        var delay = _retries.RetryAt - _processor.Time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        if (_retries.StoreDown || _completed)
        {
            await Task.Delay(delay, _processor.Time, hardStop).ConfigureAwait(false);
            return true;
        }

        // Only outcomes the store refused wait: new ones are written as they come.
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
        var data = reader.WaitToReadAsync(wake.Token).AsTask();
        var due = Task.Delay(delay, _processor.Time, wake.Token);
        await Task.WhenAny(data, due).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        hardStop.ThrowIfCancellationRequested();
        return true;
    }

    /// <summary>
    /// Lets more outcomes join the one that arrived: waits up to the window, or until a group's worth has arrived, an
    /// ordered event's outcome is among them, or the run ends. Each write is a commit; at a low rate this saves one
    /// per event, and only delays when the statuses are written.
    /// </summary>
    private async ValueTask WaitForGroupAsync(CancellationToken hardStop)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _groupReady, ready); // a full fence: a Post that comes now either sees it or is seen below
        try
        {
            if (Volatile.Read(ref _urgent) > 0 || Volatile.Read(ref _queued) >= _fullGroup || _completed)
            {
                return;
            }

            await ready.Task.WaitAsync(_window, _processor.WindowClock, hardStop).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            Volatile.Write(ref _groupReady, null);
        }
    }

    private async Task WriteAsync(List<LeasedEvent> group, CancellationToken hardStop)
    {
        _retries.DropExpired(group);
        if (group.Count == 0)
        {
            return;
        }

        var error = await TrySettleAsync(group, hardStop).ConfigureAwait(false);
        if (error is null)
        {
            _retries.Recovered();
            return;
        }

        // One at a time, so an outcome the store refuses cannot hold back the rest of its group; but when the first
        // of them fail too and none succeeds, the store is down: stop asking it outcome by outcome.
        List<LeasedEvent> refused = [];
        var written = 0;
        for (var i = 0; i < group.Count; i++)
        {
            if (group.Count > 1 && written == 0 && refused.Count == ProbesBeforeStoreDown)
            {
                refused.AddRange(group.Skip(i));
                break;
            }

            if (group.Count > 1 && await TrySettleAsync([group[i]], hardStop).ConfigureAwait(false) is null)
            {
                written++;
            }
            else
            {
                refused.Add(group[i]);
            }
        }

        if (written > 0)
        {
            _retries.Recovered();
            foreach (var leased in refused)
            {
                if (!await TryWithoutTextsAsync(leased, hardStop).ConfigureAwait(false))
                {
                    _retries.Refused(leased);
                }
            }

            return;
        }

        // A lone outcome may be refused for its text alone; otherwise nothing could be written at all.
        if (refused.Count == 1 && await TryWithoutTextsAsync(refused[0], hardStop).ConfigureAwait(false))
        {
            _retries.Recovered();
            return;
        }

        if (_run.IsDrain)
        {
            throw new InvalidOperationException($"The store refused to record the outcome of {refused.Count} events: {Describe.Message(error)}", error);
        }

        _retries.StoreFailed(refused, error);
    }

    /// <summary>Tries the outcome once with its error texts replaced (they are what a store most likely refuses).</summary>
    private async Task<bool> TryWithoutTextsAsync(LeasedEvent leased, CancellationToken hardStop)
    {
        var original = leased.Outcome!;
        if (!OutcomeFallback.HasTexts(original))
        {
            return false;
        }

        leased.Outcome = OutcomeFallback.WithoutTexts(original);
        if (await TrySettleAsync([leased], hardStop).ConfigureAwait(false) is null)
        {
            Log.OutcomeTextsDropped(_processor.Logger, original.EventId);
            return true;
        }

        leased.Outcome = original;
        return false;
    }

    /// <summary>Writes <paramref name="group"/> in one store call; returns the error, or <see langword="null"/> once recorded.</summary>
    private async Task<Exception?> TrySettleAsync(List<LeasedEvent> group, CancellationToken hardStop)
    {
        var outcomes = new EventOutcome[group.Count];
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = group[i].Outcome!;
        }

        int applied;
        try
        {
            applied = await _store.Store.SettleAsync(outcomes, _processor.Owner, hardStop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            await _store.ResetAsync().ConfigureAwait(false);
            return ex;
        }

        if (applied < outcomes.Length)
        {
            Log.LeasesLost(_processor.Logger, _processor.Owner, outcomes.Length - applied);
        }

        var releasesEntity = false;
        foreach (var leased in group)
        {
            releasesEntity |= leased.Event.Ordering != EventOrdering.None && leased.Outcome!.Status is EventStatus.Completed or EventStatus.DeadLetter;
            _run.Recorded(leased, leased.Outcome!);
        }

        if (releasesEntity)
        {
            // The next ordered event of that entity may be claimable now, and nothing else would say so before the next
            // poll: an entity's events would otherwise run one per PollingInterval.
            _processor.WakeUp();
        }

        return null;
    }
}
