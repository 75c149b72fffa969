namespace EventKit.Benchmarks.Infrastructure;

/// <summary>The store a benchmark case runs on.</summary>
public enum StoreKind
{
    /// <summary>EventKit's in-memory store; the baseline is a hand-written lock-and-queue loop.</summary>
    InMemory,

    /// <summary>A SQLite file database in WAL mode (SQLite's default synchronous=FULL).</summary>
    Sqlite,

    /// <summary>The PostgreSQL server named by <c>EVENTKIT_BENCH_POSTGRES</c> (or <c>EVENTKIT_TEST_POSTGRES</c>).</summary>
    Postgres,
}
