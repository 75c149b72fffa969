using FluentAssertions;
using Xunit;

namespace EventKit.Benchmarks.Tests;

/// <summary>
/// Runs every benchmark once (<c>--job dry --inProcess</c>, shrunk workloads via EVENTKIT_BENCH_SMOKE=1) so the suite
/// never rots: the program must exit 0, no case may fail, and every benchmark class must have results.
/// The PostgreSQL cases need the server test.sh starts (EVENTKIT_TEST_POSTGRES); without it they skip, and under
/// CI=true they fail.
/// </summary>
public sealed class BenchmarkDryRunTests
{
    [Fact]
    public async Task DryRun_InMemoryAndSqlite_EveryBenchmarkClassSucceeds()
    {
        await DryRunAsync("InMemory,Sqlite", postgres: null);
    }

    [SkippableFact]
    public async Task DryRun_Postgres_EveryBenchmarkClassSucceeds()
    {
        var server = Environment.GetEnvironmentVariable("EVENTKIT_TEST_POSTGRES") is { Length: > 0 } cs ? cs : null;
        var required = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        Skip.If(server is null && !required, "No PostgreSQL server: set EVENTKIT_TEST_POSTGRES or run ./test.sh, which starts one.");
        server.Should().NotBeNull("CI=true requires the PostgreSQL server that ./test.sh starts (EVENTKIT_TEST_POSTGRES)");
        await DryRunAsync("Postgres", server);
    }

    private static async Task DryRunAsync(string stores, string? postgres)
    {
        File.Exists(BenchmarkProgram.AssemblyPath).Should().BeTrue($"the benchmark program is built at {BenchmarkProgram.AssemblyPath}");
        var artifacts = Path.Combine(Path.GetTempPath(), $"ekbench-dry-{Guid.NewGuid():N}");
        var environment = new Dictionary<string, string?>
        {
            ["EVENTKIT_BENCH_SMOKE"] = "1",
            ["EVENTKIT_BENCH_STORES"] = stores,
            ["EVENTKIT_BENCH_POSTGRES"] = postgres,
            ["EVENTKIT_BENCH_METRICS_DIR"] = Path.Combine(artifacts, "metrics"),
        };
        try
        {
            var list = await BenchmarkProgram.RunAsync(environment, "--list", "flat");
            list.ExitCode.Should().Be(0, list.Tail);
            var classes = BenchmarkProgram.ClassesIn(list.Output);
            classes.Should().Contain(["PublishPerRequestBenchmark", "PublishCostBreakdownBenchmark", "PublishBatchBenchmark", "DrainBenchmark", "EndToEndBenchmark", "LatencyBenchmark", "BacklogMemoryBenchmark", "SlowEventsDrainBenchmark"]);

            var run = await BenchmarkProgram.RunAsync(
                environment, "--job", "dry", "--inProcess", "--filter", "*", "--exporters", "json", "--artifacts", artifacts);
            run.ExitCode.Should().Be(0, run.Tail);
            run.Output.Should().NotContain("benchmark(s) failed", run.Tail);

            var reports = BenchmarkProgram.ReadReports(artifacts);
            foreach (var name in classes)
            {
                reports.Should().ContainKey(name, $"{name} must have results; output:\n{run.Tail}");
                reports[name].Failed.Should().Be(0, $"no {name} case may fail; output:\n{run.Tail}");
                reports[name].WithResults.Should().BePositive();
            }
        }
        finally
        {
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }
}
