using System.Data.Common;
using BenchmarkDotNet.Attributes;
using EventKit.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks;

/// <summary>
/// The cost of ordering per entity (#16 item 2): the same backlog of <see cref="Events"/> pending events over
/// <see cref="Entities"/> entities (interleaved: event i is about entity i mod 200), drained by 4 processors as in
/// <see cref="DrainBenchmark"/> (batch 100), once unordered (the baseline) and once ordered per entity. Ordered, each
/// entity's events run one at a time, so at most 200 events are runnable at once, and every claim reads past the
/// events held back behind them.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class OrderedDrainBenchmark : StoreBenchmark
{
    /// <summary>Events per backlog; results are per event. The CI smoke run shrinks the backlog.</summary>
    public const int Events = 4_000;

    /// <summary>The entities the events are about.</summary>
    public const int Entities = 200;

    [ParamsSource(nameof(Stores))]
    public override StoreKind Store { get; set; }

    public static int Backlog => BenchSettings.Scale(Events, 200);

    public static IEnumerable<StoreKind> Stores() => BenchSettings.Stores();

    [GlobalSetup]
    public Task SetupAsync() => CreateDatabaseAsync();

    [IterationSetup(Target = nameof(Unordered))]
    public void SetupUnordered() => Fill(ordered: false);

    [IterationSetup(Target = nameof(Ordered))]
    public void SetupOrdered() => Fill(ordered: true);

    [IterationCleanup]
    public void Verify() => VerifyDrained(Backlog);

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public Task Unordered() => Host!.RunProcessorsAsync(4, Backlog);

    [Benchmark(OperationsPerInvoke = Events)]
    public Task Ordered() => Host!.RunProcessorsAsync(4, Backlog);

    /// <summary>The backlog (not measured): the database's through raw SQL, then spread over the entities and marked ordered or not; memory's through the publisher.</summary>
    private void Fill(bool ordered)
    {
        SetupBacklog(Database is null ? 0 : Backlog, o => o.BatchSize = 100);
        if (Database is null)
        {
            PublishAsync(ordered).GetAwaiter().GetResult();
        }
        else
        {
            using var connection = Database.Raw.CreateConnection();
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Database.Store == StoreKind.Postgres
                ? $"UPDATE events SET entity_id = (CAST(payload::json ->> 'seq' AS integer) % {Entities})::text, ordering = {(ordered ? 1 : 0)}; ANALYZE events"
                : $"UPDATE events SET entity_id = CAST(json_extract(payload, '$.seq') % {Entities} AS TEXT), ordering = {(ordered ? 1 : 0)}; ANALYZE";
            command.ExecuteNonQuery();
        }

        Probe.Expect(Backlog);
    }

    private async Task PublishAsync(bool ordered)
    {
        var options = new PublishOptions { Ordered = ordered };
        var scope = Host!.Services.CreateAsyncScope();
        await using (scope)
        {
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            for (var i = 0; i < Backlog; i++)
            {
                await publisher.PublishAsync(OrderPlaced.Create(i), (i % Entities).ToString(System.Globalization.CultureInfo.InvariantCulture), options);
            }
        }
    }
}
