using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EventKit.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks;

/// <summary>
/// Workload 4, end to end: publishers and processors run together. An operation publishes a fixed number of events
/// and ends when the handler has started for every one of them; results are per event. Every event's commit →
/// handler-start latency is recorded (the publisher stamps after its commit returns, the handler stamps on entry)
/// and reported as p50/p95/p99 columns, over every invocation but the first (JIT).
/// <list type="bullet">
/// <item><c>PerRequest</c>: 8 publishers, one event per transaction with its business row (as in workload 1).</item>
/// <item><c>PerRequestOnePublisher</c>: the same requests from one publisher, one after another.</item>
/// <item><c>Batched</c>: 2 publishers, 100 events per transaction (as in workload 2).</item>
/// </list>
/// EventKit runs its hosted services as an application does (one processor loop, default options: batch 100,
/// 8 handler workers, woken by the commit interceptor). The baseline runs one consumer loop (claim 100, dispatch,
/// complete) woken by an in-process signal after each commit, with the same 1 s polling fallback.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class EndToEndBenchmark() : CommitToHandlerBenchmark(nameof(EndToEndBenchmark))
{
    public const int PerRequestEvents = 2_000;
    public const int BatchedEvents = 20_000;
    public const int PerRequestPublishers = 8;
    public const int OnePublisherEvents = 500;
    public const int BatchedPublishers = 2;
    public const int EventsPerCommit = 100;
    private const int ResetEvery = 1_000_000;

    private int _invocations;
    private int _sinceReset;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    private static int PerRequestCount => BenchSettings.Scale(PerRequestEvents, 40);

    private static int BatchedCount => BenchSettings.Scale(BatchedEvents, 400);

    private static int OnePublisherCount => BenchSettings.Scale(OnePublisherEvents, 20);

    [GlobalSetup(Targets = [nameof(EventKitPerRequest), nameof(EventKitBatched), nameof(EventKitPerRequestOnePublisher)])]
    public Task SetupEventKitAsync() => StartEventKitAsync();

    [GlobalSetup(Targets = [nameof(EventKitPublishOnlyPerRequest), nameof(EventKitPublishOnlyPerRequestOnePublisher)])]
    public Task SetupPublishOnlyAsync() => StartEventKitAsync(processing: false);

    [GlobalSetup(Targets = [nameof(RawPerRequest), nameof(RawBatched), nameof(RawPerRequestOnePublisher)])]
    public Task SetupRawAsync() => StartRawAsync();

    /// <summary>
    /// The in-memory store keeps completed events until retention (30 days): the host is replaced once it handled
    /// <see cref="ResetEvery"/> events, inside the measured operation (stop and start take about a millisecond).
    /// </summary>
    private async Task ResetInMemoryHostWhenFullAsync(int events)
    {
        if (Store != StoreKind.InMemory || Host is null)
        {
            return;
        }

        _sinceReset += events;
        if (_sinceReset < ResetEvery)
        {
            return;
        }

        _sinceReset = 0;
        await Host.DisposeAsync();
        Host = new EventKitHost(Store, null, Probe);
        await Host.StartAsync();
    }

    [BenchmarkCategory("PerRequest")]
    [Benchmark(Baseline = true, OperationsPerInvoke = PerRequestEvents)]
    public Task RawPerRequest() => RunAsync(nameof(RawPerRequest), PerRequestCount, PerRequestPublishers, 1, (first, count) =>
        PublishRawRequestAsync(OrderPlaced.Create(first)));

    [BenchmarkCategory("PerRequest")]
    [Benchmark(OperationsPerInvoke = PerRequestEvents)]
    public Task EventKitPerRequest() => RunAsync(nameof(EventKitPerRequest), PerRequestCount, PerRequestPublishers, 1, (first, count) =>
        PublishRequestAsync(OrderPlaced.Create(first)));

    /// <summary>The same requests with processing off (<c>EnableProcessing = false</c>): the publish-only rate end to end is compared with.</summary>
    [BenchmarkCategory("PerRequest")]
    [Benchmark(OperationsPerInvoke = PerRequestEvents)]
    public Task EventKitPublishOnlyPerRequest() => RunAsync(nameof(EventKitPublishOnlyPerRequest), PerRequestCount, PerRequestPublishers, 1, (first, count) =>
        PublishRequestAsync(OrderPlaced.Create(first)), handled: false);

    [BenchmarkCategory("PerRequestOnePublisher")]
    [Benchmark(Baseline = true, OperationsPerInvoke = OnePublisherEvents)]
    public Task RawPerRequestOnePublisher() => RunAsync(nameof(RawPerRequestOnePublisher), OnePublisherCount, 1, 1, (first, count) =>
        PublishRawRequestAsync(OrderPlaced.Create(first)));

    [BenchmarkCategory("PerRequestOnePublisher")]
    [Benchmark(OperationsPerInvoke = OnePublisherEvents)]
    public Task EventKitPerRequestOnePublisher() => RunAsync(nameof(EventKitPerRequestOnePublisher), OnePublisherCount, 1, 1, (first, count) =>
        PublishRequestAsync(OrderPlaced.Create(first)));

    [BenchmarkCategory("PerRequestOnePublisher")]
    [Benchmark(OperationsPerInvoke = OnePublisherEvents)]
    public Task EventKitPublishOnlyPerRequestOnePublisher() => RunAsync(nameof(EventKitPublishOnlyPerRequestOnePublisher), OnePublisherCount, 1, 1, (first, count) =>
        PublishRequestAsync(OrderPlaced.Create(first)), handled: false);

    [BenchmarkCategory("Batched")]
    [Benchmark(Baseline = true, OperationsPerInvoke = BatchedEvents)]
    public Task RawBatched() => RunAsync(nameof(RawBatched), BatchedCount, BatchedPublishers, EventsPerCommit, async (first, count) =>
    {
        var payloads = new OrderPlaced[count];
        for (var i = 0; i < count; i++)
        {
            payloads[i] = OrderPlaced.Create(first + i);
        }

        if (Database is null)
        {
            foreach (var payload in payloads)
            {
                Memory!.Publish(payload);
            }

            return;
        }

        await Database.Raw.InsertEventsAsync(payloads, DateTime.UtcNow);
        Signal!.Notify();
    });

    [BenchmarkCategory("Batched")]
    [Benchmark(OperationsPerInvoke = BatchedEvents)]
    public Task EventKitBatched() => RunAsync(nameof(EventKitBatched), BatchedCount, BatchedPublishers, EventsPerCommit, async (first, count) =>
    {
        var scope = Host!.Services.CreateAsyncScope();
        await using (scope)
        {
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            for (var i = 0; i < count; i++)
            {
                await publisher.PublishAsync(OrderPlaced.Create(first + i));
            }

            if (Database is not null)
            {
                await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync();
            }
        }
    });

    /// <summary>
    /// Publishes events 0 … <paramref name="total"/>-1 from <paramref name="publishers"/> concurrent loops, each
    /// commit covering <paramref name="perCommit"/> consecutive sequence numbers, then waits until every handler started.
    /// </summary>
    private async Task RunAsync(string method, int total, int publishers, int perCommit, Func<int, int, Task> commit, bool handled = true)
    {
        Method = method;
        await ResetInMemoryHostWhenFullAsync(total);
        Probe.Expect(total);
        var before = _invocations > 0 ? await NextTransactionIdAsync() : null;
        var commits = total / perCommit;
        var next = -1;
        var loops = new Task[publishers];
        for (var p = 0; p < publishers; p++)
        {
            loops[p] = Task.Run(async () =>
            {
                int c;
                while ((c = Interlocked.Increment(ref next)) < commits)
                {
                    var first = c * perCommit;
                    await commit(first, perCommit);
                    for (var i = first; i < first + perCommit; i++)
                    {
                        Probe.Committed(i);
                    }
                }
            });
        }

        await Task.WhenAll(loops);
        if (handled)
        {
            await Probe.Done;
        }

        if (++_invocations > 1)
        {
            CountTransactions(before, await NextTransactionIdAsync(), total);
            if (handled)
            {
                Probe.CopyLatencies(total, Latencies);
            }
        }
    }
}
