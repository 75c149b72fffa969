namespace EventKit.Internal.Processing;

/// <summary>
/// Decides what follows a failed attempt: a retry after exponential backoff with ±20 % jitter (capped at the
/// maximum delay), or the dead letter once the attempts are used up. The random source is injectable so tests can
/// pin the jitter.
/// </summary>
internal sealed class RetryPolicy
{
    public const double Jitter = 0.2;

    private readonly Func<double> _random;

    /// <param name="random">Returns a number in [0, 1); <see cref="Random.Shared"/> by default.</param>
    public RetryPolicy(Func<double>? random = null) => _random = random ?? Random.Shared.NextDouble;

    /// <summary>The delay after failed attempt <paramref name="attempt"/> (from 1): base × 2^(attempt−1), jittered, capped.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 62);
        var ticks = baseDelay.Ticks * Math.Pow(2, exponent);
        ticks *= 1 - Jitter + (2 * Jitter * random);
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Returns when to retry after failed attempt <paramref name="attempt"/>, or <see langword="null"/> when the
    /// event has used its <paramref name="maxAttempts"/> and goes to the dead letter.
    /// </summary>
    public DateTimeOffset? NextAttemptAt(int attempt, int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay, DateTimeOffset now) =>
        attempt >= maxAttempts ? null : Later(now, Backoff(attempt, baseDelay, maxDelay, _random()));

    /// <summary>
    /// <paramref name="now"/> + <paramref name="delay"/>, saturated at <see cref="DateTimeOffset.MaxValue"/>: a clock at
    /// the end of the calendar (a test's, or a wrong one) schedules the retry as late as can be stored instead of
    /// throwing, so the event still gets its ordinary outcome.
    /// </summary>
    private static DateTimeOffset Later(DateTimeOffset now, TimeSpan delay)
    {
        // Both the UTC and the local ticks must stay in range; times here are UTC, where the two are the same.
        var room = DateTimeOffset.MaxValue.UtcTicks - Math.Max(now.UtcTicks, now.Ticks);
        return delay.Ticks <= room ? now + delay : DateTimeOffset.MaxValue;
    }
}
