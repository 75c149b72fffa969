using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace EventKit.EntityFramework.Internal;

/// <summary>The processor's writes to one SQLite database take turns within the process.</summary>
internal sealed partial class SqliteDialect
{
    /// <summary>The processor's turns to write, per database (<see cref="EnterWriteAsync"/>).</summary>
    private static readonly ConcurrentDictionary<string, Turnstile> WriteTurns = new(StringComparer.Ordinal);

    /// <summary>
    /// SQLite has one writer at a time, and a writer that finds the database locked sleeps in its busy handler (1, 2,
    /// 5, 10, … ms) while the lock may already be free. The processor's claims and settles run concurrently (the
    /// pipeline claims while outcomes are written), so in one process they take turns here, first come first served,
    /// and only meet other writers (the application's commits, other processes) in SQLite's lock. Keyed by the
    /// database's data source; never held across the application's transactions, so it cannot wait on them in a cycle.
    /// </summary>
    public override async ValueTask<IDisposable?> EnterWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var turnstile = WriteTurns.GetOrAdd(connection.DataSource ?? "", static _ => new Turnstile());
        Interlocked.Increment(ref turnstile.Waiting);
        try
        {
            await turnstile.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref turnstile.Waiting);
        }

        return new WriteTurn(turnstile.Gate);
    }

    /// <summary>How many of the processor's writes wait for their turn on <paramref name="dataSource"/> (tests).</summary>
    internal static int WaitingForWrite(string dataSource) => WriteTurns.TryGetValue(dataSource, out var turnstile) ? Volatile.Read(ref turnstile.Waiting) : 0;

    [SuppressMessage("Reliability", "CA1001", Justification = "One per database for the process's lifetime; a SemaphoreSlim whose wait handle is never read holds no OS resource.")]
    private sealed class Turnstile
    {
        public readonly SemaphoreSlim Gate = new(1, 1);

        public int Waiting;
    }

    private sealed class WriteTurn(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
