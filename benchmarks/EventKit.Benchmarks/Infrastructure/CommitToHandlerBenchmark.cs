namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// The benchmarks where publishers commit while the processing runs (<c>EndToEndBenchmark</c>, <c>LatencyBenchmark</c>):
/// EventKit's hosted services, or the baseline's <see cref="RawConsumer"/> woken by an in-process signal after each
/// commit. Every event's commit → handler-start latency goes to <see cref="Latencies"/>, written for the report's
/// p50/p95/p99 columns in the global cleanup.
/// </summary>
/// <param name="benchmark">
/// The benchmark class's name, which the report's columns look the latencies up by (not <c>GetType().Name</c>:
/// BenchmarkDotNet runs a generated subclass).
/// </param>
public abstract class CommitToHandlerBenchmark(string benchmark) : StoreBenchmark
{
    private RawConsumer? _consumer;

    private protected LatencyRecorder Latencies { get; } = new();

    /// <summary>What the baseline's publishers signal after each commit, on a database store.</summary>
    private protected WakeSignal? Signal { get; private set; }

    /// <summary>The benchmark method the process ran, which the recorded latencies belong to.</summary>
    private protected string? Method { get; set; }

    /// <summary>
    /// Writing transactions per event on PostgreSQL: transaction ids assigned during the measured operations (every
    /// invocation but the first), from <c>pg_current_snapshot()</c> before and after each, over the events they covered.
    /// </summary>
    private long _transactions;
    private long _countedEvents;

    /// <summary>The [GlobalSetup] of the EventKit methods: the database, and a host whose hosted services run (only the publisher's, when not <paramref name="processing"/>).</summary>
    private protected async Task StartEventKitAsync(bool processing = true)
    {
        await CreateDatabaseAsync();
        NewHost(processing ? null : o => o.EnableProcessing = false);
        await Host!.StartAsync();
    }

    /// <summary>The next transaction id PostgreSQL will assign (nothing elsewhere on a PostgreSQL case; reading it assigns none).</summary>
    private protected async Task<long?> NextTransactionIdAsync()
    {
        if (Store != StoreKind.Postgres || Database is null)
        {
            return null;
        }

        await using var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Counts the transactions between two <see cref="NextTransactionIdAsync"/> readings for <paramref name="events"/> events.</summary>
    private protected void CountTransactions(long? before, long? after, int events)
    {
        if (before is { } b && after is { } a)
        {
            _transactions += a - b;
            _countedEvents += events;
        }
    }

    /// <summary>The [GlobalSetup] of the baseline methods: the in-memory queue or the database, and the raw consumer on it.</summary>
    private protected async Task StartRawAsync()
    {
        if (Store == StoreKind.InMemory)
        {
            Memory = new InMemoryRawOutbox();
            _consumer = RawConsumer.Start(Memory, Probe);
            return;
        }

        await CreateDatabaseAsync();
        Signal = new WakeSignal();
        _consumer = RawConsumer.Start(Database!.Raw, Signal, Probe);
    }

    /// <summary>The baseline's commit of one event with its business row (one ADO.NET transaction), then the wake-up signal; in memory, an enqueue.</summary>
    private protected async Task PublishRawRequestAsync(OrderPlaced payload)
    {
        if (Database is null)
        {
            Memory!.Publish(payload);
            return;
        }

        await Database.Raw.InsertOrderAndEventAsync(payload, DateTime.UtcNow);
        Signal!.Notify();
    }

    private protected override async Task CleanupOwnAsync()
    {
        if (Method is not null)
        {
            var metrics = Latencies.ToMetrics();
            if (_countedEvents > 0)
            {
                metrics["CommitsPerEvent"] = (double)_transactions / _countedEvents;
            }

            CaseMetrics.Write(CaseMetrics.Key(benchmark, Method, [(nameof(Store), Store)]), metrics);
        }

        if (_consumer is not null)
        {
            await _consumer.DisposeAsync();
        }
    }
}
