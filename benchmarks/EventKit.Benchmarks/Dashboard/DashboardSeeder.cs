using System.Diagnostics;
using EventKit.Benchmarks.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace EventKit.Benchmarks.Dashboard;

/// <summary>
/// <c>seed-dashboard</c>: fills a new store with <see cref="SeedRows"/> by bulk insert (SQLite: one transaction of
/// prepared statements; PostgreSQL: binary COPY), adds a pause and two processor heartbeats, then ANALYZEs, so the
/// dashboard's pages can be measured on a store the size of issue #15's goal. The schema is the EF model's, as
/// <see cref="BenchDatabase"/> creates it.
/// </summary>
internal static class DashboardSeeder
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = SeedOptions.Parse(args);
        var clock = Stopwatch.StartNew();
        ISeedWriter writer = options.Store == "sqlite" ? new SqliteSeedWriter(options.Database) : new PostgresSeedWriter(options.Database);
        await using (writer)
        {
            await using (var context = writer.CreateContext())
            {
                if (!await context.Database.EnsureCreatedAsync())
                {
                    Console.Error.WriteLine("seed-dashboard: the database exists already; give a new file or database.");
                    return 1;
                }
            }

            Console.WriteLine($"seed-dashboard: schema created ({clock.Elapsed.TotalSeconds:F1} s); writing {options.Events:N0} events over {options.Days} days…");
            var (events, logs) = await writer.WriteAsync(SeedRows.Generate(options));
            Console.WriteLine($"seed-dashboard: {events:N0} events and {logs:N0} log rows written ({clock.Elapsed.TotalSeconds:F1} s)");
            await writer.WriteExtrasAsync(options.Now.UtcDateTime);
            await writer.AnalyzeAsync();
            Console.WriteLine($"seed-dashboard: a pause, two processor heartbeats, ANALYZE done ({clock.Elapsed.TotalSeconds:F1} s)");
        }

        return 0;
    }
}
