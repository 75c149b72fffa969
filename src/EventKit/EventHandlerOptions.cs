namespace EventKit;

/// <summary>
/// Options of one handler, set with <c>AddHandler&lt;THandler&gt;(o =&gt; …)</c>. Every limit left unset comes from
/// <see cref="EventKitOptions"/>. Values are checked when the handler is registered (an invalid one throws there,
/// naming the option and its range) and again, combined with <see cref="EventKitOptions"/>, when the host starts.
/// </summary>
public sealed class EventHandlerOptions
{
    /// <summary>
    /// Gets or sets the handler's name: its name in the event log, and how a retry knows the handler already succeeded
    /// for an event. Set it to keep a handler's identity when its class is renamed or moved; two handlers of one event
    /// type cannot have the same name.
    /// </summary>
    /// <value>Default <see langword="null"/>: the class name (without generic arity). At most 200 characters, not blank, not <c>*</c> (<see cref="EventLogEntry.AllHandlers"/>).</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets how long one run of this handler may take before its token is cancelled.</summary>
    /// <value>Default <see langword="null"/>: <see cref="EventKitOptions.HandlerTimeout"/>. Allowed 1 ms – 1 day, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>.</value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// Gets or sets how many attempts an event gets while this handler fails: when this handler fails the attempt with
    /// this number, the event is dead-lettered.
    /// </summary>
    /// <value>Default <see langword="null"/>: <see cref="EventKitOptions.MaxAttempts"/>. Allowed 1–100.</value>
    public int? MaxAttempts { get; set; }

    /// <summary>Gets or sets the delay before the first retry after this handler failed (see <see cref="EventKitOptions.RetryBaseDelay"/>).</summary>
    /// <value>Default <see langword="null"/>: <see cref="EventKitOptions.RetryBaseDelay"/>. Allowed 0 – 1 day.</value>
    public TimeSpan? RetryBaseDelay { get; set; }

    /// <summary>Gets or sets the longest delay between two attempts after this handler failed.</summary>
    /// <value>Default <see langword="null"/>: <see cref="EventKitOptions.RetryMaxDelay"/>. Allowed 0 – 7 days, and at least the effective <see cref="RetryBaseDelay"/>.</value>
    public TimeSpan? RetryMaxDelay { get; set; }

    /// <summary>
    /// Gets or sets how many runs of this handler one processor runs at once, for a handler that calls a rate-limited
    /// service. An event that would exceed it waits, without holding a worker, while other events go on.
    /// </summary>
    /// <value>Default <see langword="null"/>: no limit of its own (<see cref="EventKitOptions.MaxConcurrency"/> applies). Allowed 1–1,000.</value>
    public int? MaxConcurrency { get; set; }
}
