using System.Data.Common;
using System.Diagnostics;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Waits for a condition observed in the database (work done by other processes or by a hosted service), checking
/// it at a short interval up to a generous deadline: the test goes on as soon as the condition holds.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Probes until <paramref name="done"/> holds for the probed value, and returns that value.</summary>
    /// <param name="what">What is awaited, for the timeout message.</param>
    /// <param name="probe">Reads the current value.</param>
    /// <param name="done">Whether the value is the awaited one.</param>
    /// <param name="timeout">The deadline.</param>
    /// <param name="tolerateDatabaseErrors">Treat a failing probe (a server that is down) as "not yet".</param>
    public static async Task<T> UntilAsync<T>(string what, Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, bool tolerateDatabaseErrors = false)
    {
        var elapsed = Stopwatch.StartNew();
        T? last = default;
        DbException? lastError;
        while (true)
        {
            try
            {
                last = await probe();
                lastError = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (DbException ex) when (tolerateDatabaseErrors)
            {
                lastError = ex;
            }

            if (elapsed.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last value: {last}.", lastError);
            }

            await Task.Delay(Interval);
        }
    }
}
