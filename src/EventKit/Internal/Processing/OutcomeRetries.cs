namespace EventKit.Internal.Processing;

/// <summary>
/// The outcome writer's memory of what it could not write yet: the outcomes kept for a retry, when that retry is
/// due, and whether the store looks down (then new outcomes wait for the retry as well). Decides when an outcome is
/// given up: its lease expired after a failed write, or the store refused it too often.
/// </summary>
internal sealed class OutcomeRetries(EventProcessor processor, ProcessorRun run)
{
    /// <summary>Failed writes of one outcome, alone, while other outcomes were written: then it is given up.</summary>
    public const int MaxRefusals = 3;

    /// <summary>Failed writes of one outcome in all: bounded even if the store refuses only it while leases are renewed.</summary>
    public const int MaxFailures = 20;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RefusedRetryDelay = TimeSpan.FromSeconds(1);

    private readonly List<LeasedEvent> _pending = [];
    private DateTimeOffset _retryAt;
    private int _storeFailures;

    public int Count => _pending.Count;

    /// <summary>Whether the last write failed entirely for several outcomes: new outcomes then wait for the retry.</summary>
    public bool StoreDown { get; private set; }

    public DateTimeOffset RetryAt => _retryAt;

    public bool IsDue(DateTimeOffset now) => _pending.Count > 0 && now >= _retryAt;

    /// <summary>Moves the kept outcomes, least-failed first, into <paramref name="group"/>.</summary>
    public void TakeInto(List<LeasedEvent> group)
    {
        _pending.Sort(static (a, b) => a.WriteFailures.CompareTo(b.WriteFailures));
        group.AddRange(_pending);
        _pending.Clear();
    }

    public void Recovered()
    {
        StoreDown = false;
        _storeFailures = 0;
    }

    /// <summary>Nothing could be written: keep the outcomes and retry them with backoff (0.5 s doubling to 30 s).</summary>
    public void StoreFailed(List<LeasedEvent> refused, Exception error)
    {
        _storeFailures++;
        StoreDown = refused.Count > 1;
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(_storeFailures - 1, 10))));
        Log.SettleFailed(processor.Logger, processor.Owner, refused.Count, _storeFailures, delay, error);
        foreach (var leased in refused)
        {
            if (++leased.WriteFailures >= MaxFailures)
            {
                GiveUp(leased);
            }
            else
            {
                _pending.Add(leased);
            }
        }

        _retryAt = processor.Time.GetUtcNow() + delay;
    }

    /// <summary>The store records other outcomes but refused this one (even without its texts): retry it shortly, then give it up.</summary>
    public void Refused(LeasedEvent leased)
    {
        if (run.IsDrain || ++leased.WriteFailures >= MaxRefusals)
        {
            GiveUp(leased);
            return;
        }

        _pending.Add(leased);
        var at = processor.Time.GetUtcNow() + RefusedRetryDelay;
        _retryAt = _pending.Count == 1 || at < _retryAt ? at : _retryAt;
    }

    /// <summary>
    /// Gives up outcomes that already failed to be written and whose lease has expired meanwhile: the event is someone
    /// else's to run again. A first attempt is always made, however late: the store applies it only while the lease
    /// is still this processor's, and a late outcome that still applies saves a second run.
    /// </summary>
    public void DropExpired(List<LeasedEvent> group)
    {
        if (run.IsDrain)
        {
            return;
        }

        var now = processor.Time.GetUtcNow();
        for (var i = group.Count - 1; i >= 0; i--)
        {
            var leased = group[i];
            if (leased.WriteFailures > 0 && leased.LeaseUntil < now)
            {
                Log.OutcomeExpired(processor.Logger, leased.Event.Id, leased.Event.Type, leased.LeaseUntil);
                run.Book.Remove(leased);
                group.RemoveAt(i);
            }
        }
    }

    /// <summary>Gives up everything kept (the host stopped waiting); returns how many.</summary>
    public int Abandon()
    {
        var count = _pending.Count;
        _pending.Clear();
        return count;
    }

    private void GiveUp(LeasedEvent leased)
    {
        Log.OutcomeGivenUp(processor.Logger, leased.Event.Id, leased.Event.Type, leased.WriteFailures);
        run.Book.Remove(leased);
    }
}
