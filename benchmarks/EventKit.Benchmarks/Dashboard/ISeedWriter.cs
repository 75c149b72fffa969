using EventKit.Benchmarks.Infrastructure;

namespace EventKit.Benchmarks.Dashboard;

/// <summary>Writes <see cref="SeedRows"/> to one store in bulk.</summary>
internal interface ISeedWriter : IAsyncDisposable
{
    /// <summary>A context on the database, to create the schema.</summary>
    BenchDbContext CreateContext();

    /// <summary>Writes the events and their log rows; returns how many of each.</summary>
    Task<(long Events, long Logs)> WriteAsync(IEnumerable<(SeedRows.Event Event, SeedRows.Log? Log)> rows);

    /// <summary>Adds a pause of one type and two processor heartbeats seen at <paramref name="now"/>.</summary>
    Task WriteExtrasAsync(DateTime now);

    /// <summary>Refreshes the planner's statistics.</summary>
    Task AnalyzeAsync();
}
