using BenchmarkDotNet.Running;
using EventKit.Benchmarks.Infrastructure;

namespace EventKit.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --filter *Drain*</c> and every other BenchmarkDotNet switch; see benchmarks/README.md.
/// Exits with 1 when a benchmark failed, so scripts and CI notice.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "interleave")
        {
            return Interleaved.InterleavedRunner.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "seed-dashboard")
        {
            return Dashboard.DashboardSeeder.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "serve-dashboard")
        {
            return Dashboard.DashboardServer.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "wakeup")
        {
            return CrossProcess.WakeUpRunner.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] is CrossProcess.WakeUpChild.PublisherMode or CrossProcess.WakeUpChild.WorkerMode)
        {
            return CrossProcess.WakeUpChild.RunAsync(args[0], args[1..]).GetAwaiter().GetResult();
        }

        // Child processes inherit this, so the cases they run leave their own measurements where the report looks.
        if (Environment.GetEnvironmentVariable(BenchSettings.MetricsVariable) is not { Length: > 0 })
        {
            Environment.SetEnvironmentVariable(
                BenchSettings.MetricsVariable,
                Path.Combine(Path.GetTempPath(), $"eventkit-bench-metrics-{Environment.ProcessId}"));
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create()).ToList();
        var failed = summaries.Sum(s => s.Reports.Count(r => !r.Success)) + summaries.Count(s => s.HasCriticalValidationErrors);
        if (failed > 0)
        {
            Console.Error.WriteLine($"EventKit.Benchmarks: {failed} benchmark(s) failed or did not validate.");
            return 1;
        }

        return 0;
    }
}
