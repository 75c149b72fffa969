using System.Threading.Channels;

namespace EventKit.Internal.Processing;

/// <summary>
/// Records outcomes as they arrive, in groups: each write takes every outcome that arrived meanwhile (up to
/// <see cref="MaxGroup"/>), so the group grows with the load and a lone outcome waits for no timer. A group that
/// fails is written again one outcome at a time, so one outcome the store refuses never holds back the others.
/// When nothing can be written (the store is unreachable) the writer keeps the outcomes and retries with backoff
/// for as long as their leases last. In a drain (tests, the harness) it never waits: a store that refuses every
/// outcome ends the drain with that error.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The writer's loop disposes its store scope when it ends; the run always ends the loop.")]
internal sealed class OutcomeWriter
{
    public const int MaxGroup = 1000;
    private const int MaxFailuresAlone = 3;
    private const int MaxFailures = 20;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PoisonRetryDelay = TimeSpan.FromSeconds(1);

    private readonly EventProcessor _processor;
    private readonly ProcessorRun _run;
    private readonly Channel<LeasedEvent> _queue = Channel.CreateUnbounded<LeasedEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<LeasedEvent> _pending = [];
    private readonly StoreScope _store;
    private DateTimeOffset _retryAt;
    private bool _storeDown;
    private int _storeFailures;
    private Task _loop = Task.CompletedTask;

    public OutcomeWriter(EventProcessor processor, ProcessorRun run)
    {
        _processor = processor;
        _run = run;
        _store = new StoreScope(processor.Scopes);
    }

    public Task Completion => _loop;

    public void Start(CancellationToken hardStop) => _loop = Task.Run(() => LoopAsync(hardStop), CancellationToken.None);

    public void Post(LeasedEvent leased, EventOutcome outcome)
    {
        leased.Outcome = outcome;
        _queue.Writer.TryWrite(leased);
    }

    /// <summary>No more outcomes come; the loop ends once it has recorded (or given up on) the ones it has.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task LoopAsync(CancellationToken hardStop)
    {
        var reader = _queue.Reader;
        var group = new List<LeasedEvent>();
        try
        {
            while (true)
            {
                var retryDue = _pending.Count > 0 && _processor.Time.GetUtcNow() >= _retryAt;
                if (!retryDue && !await WaitAsync(reader, hardStop).ConfigureAwait(false))
                {
                    return;
                }

                group.Clear();
                if (_pending.Count > 0 && _processor.Time.GetUtcNow() >= _retryAt)
                {
                    group.AddRange(_pending);
                    _pending.Clear();
                }

                // Outcomes that arrived meanwhile join the group (while the store is down, WaitAsync held them back
                // until the retry was due).
                while (group.Count < MaxGroup && reader.TryRead(out var leased))
                {
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
            var left = _pending.Count;
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
        if (_pending.Count == 0)
        {
            return await reader.WaitToReadAsync(hardStop).ConfigureAwait(false);
        }

        var delay = _retryAt - _processor.Time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        if (_storeDown || reader.Completion.IsCompleted)
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

    private async Task WriteAsync(List<LeasedEvent> group, CancellationToken hardStop)
    {
        DropExpired(group);
        if (group.Count == 0)
        {
            return;
        }

        var error = await TrySettleAsync(group, hardStop).ConfigureAwait(false);
        if (error is null)
        {
            Recovered();
            return;
        }

        // One at a time, so an outcome the store refuses cannot hold back the rest of its group.
        List<LeasedEvent> refused = [];
        if (group.Count == 1)
        {
            refused.Add(group[0]);
        }
        else
        {
            foreach (var leased in group)
            {
                if (await TrySettleAsync([leased], hardStop).ConfigureAwait(false) is not null)
                {
                    refused.Add(leased);
                }
            }
        }

        if (refused.Count < group.Count)
        {
            Recovered();
            foreach (var leased in refused)
            {
                await RefusedAloneAsync(leased, hardStop).ConfigureAwait(false);
            }

            return;
        }

        // A lone outcome may be refused for its text alone; otherwise nothing could be written at all.
        if (refused.Count == 1 && await TryWithoutTextsAsync(refused[0], hardStop).ConfigureAwait(false))
        {
            Recovered();
            return;
        }

        if (_run.IsDrain)
        {
            throw new InvalidOperationException($"The store refused to record the outcome of {refused.Count} events: {Describe.Message(error)}", error);
        }

        StoreFailed(refused, error);
    }

    /// <summary>
    /// Nothing could be written: keep the outcomes and retry them with backoff. Only when several outcomes failed
    /// together is the store taken to be down (new outcomes then wait for the retry too); a lone failure may be that
    /// outcome alone, so the next outcomes are still written as they come, and tell which it was.
    /// </summary>
    private void StoreFailed(List<LeasedEvent> refused, Exception error)
    {
        _storeFailures++;
        _storeDown = refused.Count > 1;
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(_storeFailures - 1, 10))));
        Log.SettleFailed(_processor.Logger, _processor.Owner, refused.Count, _storeFailures, delay, error);
        foreach (var leased in refused)
        {
            // Bounded even if the store refuses only these while leases keep being renewed.
            if (++leased.WriteFailures >= MaxFailures)
            {
                GiveUp(leased);
            }
            else
            {
                _pending.Add(leased);
            }
        }

        _retryAt = _processor.Time.GetUtcNow() + delay;
    }

    private void Recovered()
    {
        _storeDown = false;
        _storeFailures = 0;
    }

    /// <summary>
    /// The store records other outcomes but refuses this one even without its error texts: retry it shortly, then give
    /// it up (its lease expires and the event is handled again).
    /// </summary>
    private async Task RefusedAloneAsync(LeasedEvent leased, CancellationToken hardStop)
    {
        if (await TryWithoutTextsAsync(leased, hardStop).ConfigureAwait(false))
        {
            return;
        }

        if (_run.IsDrain || ++leased.WriteFailures >= MaxFailuresAlone)
        {
            GiveUp(leased);
            return;
        }

        _pending.Add(leased);
        _retryAt = _processor.Time.GetUtcNow() + PoisonRetryDelay;
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

    private void GiveUp(LeasedEvent leased)
    {
        Log.OutcomeGivenUp(_processor.Logger, leased.Event.Id, leased.Event.Type, leased.WriteFailures);
        _run.Book.Remove(leased);
    }

    /// <summary>
    /// Gives up outcomes that already failed to be written and whose lease has expired meanwhile: the event is someone
    /// else's to run again. A first attempt is always made, however late: the store applies it only while the lease
    /// is still this processor's, and a late outcome that still applies saves a second run.
    /// </summary>
    private void DropExpired(List<LeasedEvent> group)
    {
        var now = _processor.Time.GetUtcNow();
        for (var i = group.Count - 1; i >= 0; i--)
        {
            var leased = group[i];
            if (group[i].WriteFailures > 0 && leased.LeaseUntil < now && !_run.IsDrain)
            {
                Log.OutcomeExpired(_processor.Logger, leased.Event.Id, leased.Event.Type, leased.LeaseUntil);
                _run.Book.Remove(leased);
                group.RemoveAt(i);
            }
        }
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

        foreach (var leased in group)
        {
            _run.Recorded(leased, leased.Outcome!);
        }

        return null;
    }
}
