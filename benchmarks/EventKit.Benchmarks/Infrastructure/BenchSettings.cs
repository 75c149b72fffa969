namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// What the environment asks of a run. Every knob is an environment variable so the same commands work in
/// <c>run.sh</c>, in CI's dry run and by hand, and so BenchmarkDotNet's child processes (which inherit the
/// environment) see the same values as the host process.
/// </summary>
public static class BenchSettings
{
    /// <summary>Npgsql connection string of a server to benchmark on; its presence enables the PostgreSQL cases.</summary>
    public const string PostgresVariable = "EVENTKIT_BENCH_POSTGRES";

    /// <summary>The test suite's server variable, used when <see cref="PostgresVariable"/> is not set.</summary>
    public const string TestPostgresVariable = "EVENTKIT_TEST_POSTGRES";

    /// <summary>Comma-separated subset of stores to run (InMemory, Sqlite, Postgres); default: every available store.</summary>
    public const string StoresVariable = "EVENTKIT_BENCH_STORES";

    /// <summary><c>1</c> shrinks every workload (backlogs, publish counts, parameter lists) for CI's dry run.</summary>
    public const string SmokeVariable = "EVENTKIT_BENCH_SMOKE";

    /// <summary><c>1</c> keeps full workload sizes but runs one representative value of each parameter (run.sh quick).</summary>
    public const string QuickVariable = "EVENTKIT_BENCH_QUICK";

    /// <summary><c>0</c> turns the EF store's PostgreSQL notifications off (<c>UseNotifications = false</c>), to measure what they cost.</summary>
    public const string NotifyVariable = "EVENTKIT_BENCH_NOTIFY";

    /// <summary>Milliseconds of <c>OutcomeBatchWindow</c> for EventKit's hosts (default: EventKit's default), to measure what the window saves.</summary>
    public const string OutcomeWindowVariable = "EVENTKIT_BENCH_OUTCOME_WINDOW_MS";

    /// <summary>Folder where benchmark processes leave per-case measurements (latency, peak memory) for the report columns.</summary>
    public const string MetricsVariable = "EVENTKIT_BENCH_METRICS_DIR";

    public static string? PostgresConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } bench ? bench
        : Environment.GetEnvironmentVariable(TestPostgresVariable) is { Length: > 0 } test ? test
        : null;

    public static bool Smoke => Environment.GetEnvironmentVariable(SmokeVariable) is "1" or "true";

    public static TimeSpan? OutcomeWindow =>
        int.TryParse(Environment.GetEnvironmentVariable(OutcomeWindowVariable), System.Globalization.CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : null;

    public static bool Notify => Environment.GetEnvironmentVariable(NotifyVariable) is not ("0" or "false");

    public static bool Quick => Environment.GetEnvironmentVariable(QuickVariable) is "1" or "true";

    public static string MetricsDirectory =>
        Environment.GetEnvironmentVariable(MetricsVariable) is { Length: > 0 } dir
            ? dir
            : Path.Combine(Path.GetTempPath(), "eventkit-bench-metrics");

    /// <summary>The stores to benchmark: every store asked for (all by default), PostgreSQL only when a server is configured.</summary>
    public static IEnumerable<StoreKind> Stores()
    {
        var requested = Environment.GetEnvironmentVariable(StoresVariable) is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => Enum.Parse<StoreKind>(s, ignoreCase: true)).ToHashSet()
            : [StoreKind.InMemory, StoreKind.Sqlite, StoreKind.Postgres];
        foreach (var store in Enum.GetValues<StoreKind>())
        {
            if (requested.Contains(store) && (store != StoreKind.Postgres || PostgresConnectionString is not null))
            {
                yield return store;
            }
        }
    }

    /// <summary>Only the database stores (for workloads that have no meaning in memory).</summary>
    public static IEnumerable<StoreKind> DatabaseStores() => Stores().Where(s => s != StoreKind.InMemory);

    /// <summary><paramref name="full"/> normally; <paramref name="smoke"/> under <see cref="SmokeVariable"/>.</summary>
    public static T Scale<T>(T full, T smoke) => Smoke ? smoke : full;

    /// <summary>Parameter values: all of them normally; the representative subset for quick runs and smoke runs.</summary>
    public static T[] Values<T>(T[] full, T[] subset) => Smoke || Quick ? subset : full;
}
