using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// What the benchmarks on a store set up and tear down alike: the probe the benchmark handler reports to, the
/// benchmark database (none for the in-memory store), the EventKit host on it and the in-memory baseline's queue.
/// Each benchmark keeps its own parameters and its own [GlobalSetup] and [IterationSetup] methods (they name their
/// targets) and calls the helpers here; the [GlobalCleanup] is this class's.
/// </summary>
public abstract class StoreBenchmark
{
    /// <summary>Events the publish benchmarks let the in-memory store and queue hold before they are replaced.</summary>
    private const int ResetEvery = 500_000;

    private int _sinceReset;

    /// <summary>The store under test; each benchmark declares its values with [ParamsSource] on its override.</summary>
    public abstract StoreKind Store { get; set; }

    private protected HandlerProbe Probe { get; } = new();

    /// <summary>The benchmark database; <see langword="null"/> for the in-memory store.</summary>
    private protected BenchDatabase? Database { get; private set; }

    private protected EventKitHost? Host { get; set; }

    /// <summary>The hand-written in-memory baseline's queue, where a benchmark has one.</summary>
    private protected InMemoryRawOutbox? Memory { get; set; }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await CleanupOwnAsync();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
    }

    /// <summary>Runs first in the global cleanup, before the host and the database go: what the benchmark set up itself.</summary>
    private protected virtual Task CleanupOwnAsync() => Task.CompletedTask;

    /// <summary>Creates the benchmark database, unless the store is in memory.</summary>
    private protected async Task CreateDatabaseAsync()
    {
        if (Store != StoreKind.InMemory)
        {
            Database = await BenchDatabase.CreateAsync(Store);
        }
    }

    /// <summary>Disposes the host, if there is one, and makes a new one (not started); in memory, with a new, empty store.</summary>
    private protected void NewHost(Action<EventKitOptions>? configure = null)
    {
        Host?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Host = new EventKitHost(Store, Database, Probe, configure);
    }

    /// <summary>
    /// The [IterationSetup] of the drain benchmarks: a new host with the options <paramref name="configure"/> sets, a
    /// backlog of <paramref name="count"/> pending events in its store, and the probe armed for them.
    /// </summary>
    private protected void SetupBacklog(int count, Action<EventKitOptions>? configure = null)
    {
        NewHost(configure);
        Backlog.FillAsync(Host!, Database, count).GetAwaiter().GetResult();
        Probe.Expect(count);
    }

    /// <summary>The [IterationCleanup] of the drain benchmarks: throws unless all <paramref name="count"/> events completed.</summary>
    private protected void VerifyDrained(int count, InMemoryRawOutbox? raw = null) =>
        Backlog.VerifyDrainedAsync(Database, count, Probe, raw).GetAwaiter().GetResult();

    /// <summary>
    /// Called by the publish benchmarks' operations before they publish <paramref name="events"/> events. The in-memory
    /// store and queue keep every event (nothing drains them there): both are replaced once they hold
    /// <see cref="ResetEvery"/> events, inside the measured operation (about 1 ms per half million events, and the
    /// garbage collector's share of dropping them, the same for both methods).
    /// </summary>
    private protected void ResetMemoryWhenFull(int events)
    {
        if (Store == StoreKind.InMemory && Volatile.Read(ref _sinceReset) >= ResetEvery)
        {
            _sinceReset = 0;
            NewHost();
            Memory!.Clear();
        }

        _sinceReset += events;
    }

    /// <summary>
    /// One request of workload 1 through EventKit: a DI scope, the order added and the event published through
    /// <see cref="IEventPublisher"/>, both committed by <c>SaveChanges</c>; in memory, a scope and a publish.
    /// </summary>
    private protected async Task PublishRequestAsync(OrderPlaced payload)
    {
        var scope = Host!.Services.CreateAsyncScope();
        await using (scope)
        {
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            if (Database is null)
            {
                await publisher.PublishAsync(payload);
                return;
            }

            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            db.Orders.Add(new Order { Id = payload.OrderId, Customer = payload.Customer, Amount = payload.Amount, CreatedAt = DateTime.UtcNow });
            await publisher.PublishAsync(payload);
            await db.SaveChangesAsync();
        }
    }
}
