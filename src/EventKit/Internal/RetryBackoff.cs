namespace EventKit.Internal;

/// <summary>Exponential backoff with ±20 % jitter, capped at the maximum delay.</summary>
internal static class RetryBackoff
{
    public const double Jitter = 0.2;

    /// <param name="attempt">The attempt that just failed, from 1.</param>
    /// <param name="baseDelay">The delay after the first failure.</param>
    /// <param name="maxDelay">The cap.</param>
    /// <param name="random">A number in [0, 1).</param>
    public static TimeSpan Compute(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 62);
        var ticks = baseDelay.Ticks * Math.Pow(2, exponent);
        ticks *= 1 - Jitter + (2 * Jitter * random);
        return ticks >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
