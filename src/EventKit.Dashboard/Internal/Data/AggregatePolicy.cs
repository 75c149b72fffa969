namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// When <see cref="AggregateCache"/> serves a store-wide aggregate from memory rather than asking the store on every
/// request. An aggregate that the store computed in under <see cref="SlowerThan"/> is always asked for again (small and
/// medium stores see live numbers). A slower one (a large store: counting a million rows takes seconds) is kept and
/// served to every request at once, refreshed in the background once it is <see cref="RefreshInterval"/> or its cost
/// times <see cref="CostFactor"/> old, whichever is longer (the first computation after the start: the interval, see
/// <see cref="RefreshAfter"/>), so the dashboard spends at most about 1/<see cref="CostFactor"/>
/// of one database connection's time on it however many operators keep it open. Past <see cref="MaxAge"/> (a refresh
/// kept failing) a request computes it again itself. A request waits for a value nothing has computed yet at most
/// <see cref="FirstWait"/>; past that its page shows the section as being computed (the computation goes on) and
/// refreshes itself. Tests register other values (the type is internal).
/// </summary>
internal sealed record AggregatePolicy(TimeSpan SlowerThan, TimeSpan RefreshInterval, int CostFactor, TimeSpan MaxAge)
{
    /// <summary>How long a request waits for a value that is not computed yet before its page shows "Computing…" instead (150 ms).</summary>
    public TimeSpan FirstWait { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Whether the application's start computes the overview's aggregates (on; tests whose stores change after the start
    /// turn it off, so their first request computes what they seeded).
    /// </summary>
    public bool WarmUp { get; init; } = true;

    public static AggregatePolicy Default { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 20, TimeSpan.FromMinutes(15));

    /// <summary>
    /// How old a kept value may get before a refresh starts, for one that cost <paramref name="cost"/>. The process's
    /// <paramref name="first"/> computation of a key is refreshed after <see cref="RefreshInterval"/> whatever it cost:
    /// its cost includes one-time work (the query's compilation, the model, opening the pool, JIT on a busy machine), so
    /// a small store whose first count took seconds at the start would otherwise show that count for a minute or more.
    /// </summary>
    public TimeSpan RefreshAfter(TimeSpan cost, bool first) =>
        !first && cost * CostFactor > RefreshInterval ? cost * CostFactor : RefreshInterval;
}
