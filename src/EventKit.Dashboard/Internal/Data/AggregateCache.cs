using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// Stale-while-revalidate for the store-wide aggregates of the dashboard's pages (counts per status, type and handler
/// statistics, the timeline, the failure groups), shared by every request to one mounted dashboard: see
/// <see cref="AggregatePolicy"/> for when a value is kept. A kept value is served at once; when it is due, one refresh
/// (never two at a time per key) runs in the background on the application's stopping token, and requests meanwhile
/// get the value they had, with the time it was computed (pages show it). An operator's action through the dashboard
/// marks every value due, so the next request starts the refresh. When nothing is kept yet, the requests share one
/// computation and each waits for it at most <see cref="AggregatePolicy.FirstWait"/>: past that it gets
/// <see cref="Cached{T}.Pending"/> and the computation goes on (on the stopping token) for the requests after it; the
/// application's start warms the overview's values the same way (<see cref="WarmAsync{T}"/>). Costs and waits are
/// measured with the application's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class AggregateCache(TimeProvider time, AggregatePolicy policy, ILogger logger, CancellationToken stopping)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Computation>> _computing = new(StringComparer.Ordinal);

    /// <summary>
    /// The value of <paramref name="key"/>: the kept one when the last computation was slow and it is not too old
    /// (starting a background refresh when it is due), otherwise computed now by <paramref name="compute"/> (or joining
    /// the computation under way), waiting at most <see cref="AggregatePolicy.FirstWait"/> for it.
    /// </summary>
    public async Task<Cached<T>> GetAsync<T>(string key, Func<CancellationToken, Task<T>> compute, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && entry.Kept && now - entry.AsOf <= policy.MaxAge)
        {
            if (entry.Due || now - entry.AsOf >= policy.RefreshAfter(entry.Cost, entry.First))
            {
                StartRefresh(key, entry, compute);
            }

            return new Cached<T>((T)entry.Value!, entry.AsOf, Kept: true);
        }

        // One computation per key at a time, shared by the requests that arrive meanwhile (on a cold large store the
        // overview's auto-refresh and a second operator would otherwise pile up the same slow queries). It runs on the
        // stopping token: a request that goes away, or stops waiting after FirstWait, leaves it running, and its value
        // serves the next request.
        var computation = Start(key, compute);
        try
        {
            var computed = await computation.Task.WaitAsync(policy.FirstWait, time, cancellationToken).ConfigureAwait(false);
            return new Cached<T>((T)computed.Value!, computed.AsOf, Kept: false);
        }
        catch (TimeoutException) when (!computation.Task.IsCompleted)
        {
            return Cached<T>.Pending(computation.StartedAt);
        }
    }

    /// <summary>
    /// Computes <paramref name="key"/> (or joins the computation under way) unless a value is kept, without a time limit:
    /// the warm-up at the application's start. A failure is logged by the computation and thrown.
    /// </summary>
    public async Task WarmAsync<T>(string key, Func<CancellationToken, Task<T>> compute)
    {
        if (!_entries.TryGetValue(key, out var entry) || !entry.Kept)
        {
            await Start(key, compute).Task.ConfigureAwait(false);
        }
    }

    /// <summary>Marks every kept value due (after an action changed events): the next request refreshes it.</summary>
    public void Invalidate()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Due = true;
        }
    }

    /// <summary>The refresh of <paramref name="key"/> running in the background, or a completed task (for tests).</summary>
    internal Task RefreshOf(string key) => _entries.TryGetValue(key, out var entry) ? entry.Refresh ?? Task.CompletedTask : Task.CompletedTask;

    private void StartRefresh<T>(string key, Entry entry, Func<CancellationToken, Task<T>> compute)
    {
        lock (entry)
        {
            if (entry.Refresh is not null)
            {
                return;
            }

            entry.Due = false;
            entry.Refresh = OnOwnThread(() => RefreshAsync(key, entry, compute));
        }
    }

    private async Task RefreshAsync<T>(string key, Entry entry, Func<CancellationToken, Task<T>> compute)
    {
        try
        {
            var computed = await ComputeAsync(compute, first: false, stopping).ConfigureAwait(false);
            _entries.TryUpdate(key, computed, entry);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // The kept value stays (until MaxAge); the next request past the interval tries again.
            Log.AggregateRefreshFailed(logger, key, ex);
            lock (entry)
            {
                entry.Refresh = null;
            }
        }
        catch (OperationCanceledException)
        {
            // The application is stopping.
        }
    }

    private Computation Start<T>(string key, Func<CancellationToken, Task<T>> compute)
    {
        var lazy = _computing.GetOrAdd(key, k => new Lazy<Computation>(() =>
        {
            var started = time.GetUtcNow();
            return new Computation(started, OnOwnThread(() => ComputeSharedAsync(k, compute)));
        }));
        return lazy.Value;
    }

    // A thread of its own, not the thread pool's: a store whose async calls block (Microsoft.Data.Sqlite runs its
    // queries synchronously) would otherwise hold pool threads for seconds, and on a small machine the requests that
    // stopped waiting after FirstWait would wait for the pool to grow instead.
    private static Task<TResult> OnOwnThread<TResult>(Func<Task<TResult>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private static Task OnOwnThread(Func<Task> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task<Entry> ComputeSharedAsync<T>(string key, Func<CancellationToken, Task<T>> compute)
    {
        try
        {
            // Entries are never removed: none yet means this process has not run this query before.
            var computed = await ComputeAsync(compute, first: !_entries.ContainsKey(key), stopping).ConfigureAwait(false);
            _entries[key] = computed;
            return computed;
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // Logged here, as no request may be waiting any more; the next request starts it again.
            Log.AggregateComputeFailed(logger, key, ex);
            throw;
        }
        finally
        {
            _computing.TryRemove(key, out _);
        }
    }

    private async Task<Entry> ComputeAsync<T>(Func<CancellationToken, Task<T>> compute, bool first, CancellationToken cancellationToken)
    {
        var asOf = time.GetUtcNow();
        var started = time.GetTimestamp();
        var value = await compute(cancellationToken).ConfigureAwait(false);
        var cost = time.GetElapsedTime(started);
        return new Entry(value, asOf, cost, kept: cost >= policy.SlowerThan, first);
    }

    /// <summary>A first computation of one key, shared by whoever asks while it runs.</summary>
    private sealed record Computation(DateTimeOffset StartedAt, Task<Entry> Task);

    private sealed class Entry(object? value, DateTimeOffset asOf, TimeSpan cost, bool kept, bool first)
    {
        public object? Value { get; } = value;

        public DateTimeOffset AsOf { get; } = asOf;

        public TimeSpan Cost { get; } = cost;

        public bool Kept { get; } = kept;

        /// <summary>The process's first computation of the key: its cost includes one-time work (see <see cref="AggregatePolicy.RefreshAfter"/>).</summary>
        public bool First { get; } = first;

        public volatile bool Due;

        public Task? Refresh { get; set; }
    }
}
