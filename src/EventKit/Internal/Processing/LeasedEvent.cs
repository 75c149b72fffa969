namespace EventKit.Internal.Processing;

/// <summary>
/// One event leased to this processor, from its claim until its outcome is recorded (or given up). The
/// <see cref="LeaseBook"/> guards <see cref="State"/> and <see cref="Slot"/>; the lease expiry is read without it;
/// the outcome is handed from a worker to the writer through the writer's queue.
/// </summary>
internal sealed class LeasedEvent(ClaimedEvent claimed, DateTimeOffset leaseUntil)
{
    private long _leaseUntilTicks = leaseUntil.UtcTicks;
    private volatile bool _leaseLost;

    public ClaimedEvent Claimed { get; } = claimed;

    public EventRecord Event => Claimed.Event;

    public LeaseState State { get; set; } = LeaseState.Buffered;

    /// <summary>The worker slot running the event's handlers, while <see cref="LeaseState.Running"/>.</summary>
    public RunSlot? Slot { get; set; }

    /// <summary>Set when a renewal found the lease held by someone else (expired and claimed, or changed by an operator).</summary>
    public bool LeaseLost
    {
        get => _leaseLost;
        set => _leaseLost = value;
    }

    /// <summary>
    /// Set for a hand-off committed too late in its lease to be run on it: once its release is recorded, the claim loop
    /// is woken to claim it as a pending event (nothing else announces it).
    /// </summary>
    public bool WakeWhenReleased { get; set; }

    /// <summary>Where its handlers stopped while it is parked at a handler's concurrency limit; otherwise <see langword="null"/>.</summary>
    public RunProgress? Progress { get; set; }

    /// <summary>The outcome of its handlers, once they ran, until the writer has recorded it.</summary>
    public EventOutcome? Outcome { get; set; }

    /// <summary>Failed attempts of the writer to record <see cref="Outcome"/> (written by the writer only).</summary>
    public int WriteFailures { get; set; }

    /// <summary>When the lease expires as far as this processor knows (claim or last renewal, by its own clock).</summary>
    public DateTimeOffset LeaseUntil
    {
        get => new(Interlocked.Read(ref _leaseUntilTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _leaseUntilTicks, value.UtcTicks);
    }
}
