using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace EventKit.Benchmarks.Tests;

/// <summary>Runs the built benchmark program (benchmarks/EventKit.Benchmarks) as a child process.</summary>
public static class BenchmarkProgram
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The benchmark assembly built next to this test's configuration (bin/{Configuration}/net10.0).</summary>
    public static string AssemblyPath
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = here.Name;
            var configuration = here.Parent!.Name;
            var root = here;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "EventKit.sln")))
            {
                root = root.Parent;
            }

            if (root is null)
            {
                throw new InvalidOperationException($"EventKit.sln not found above {AppContext.BaseDirectory}.");
            }

            return Path.Combine(root.FullName, "benchmarks", "EventKit.Benchmarks", "bin", configuration, framework, "EventKit.Benchmarks.dll");
        }
    }

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append($"[test] killed after {Timeout}");
            return new Result(-1, Snapshot());
        }

        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        return new Result(process.ExitCode, Snapshot());

        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }

        string Snapshot()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Benchmark classes (short names) that `--list flat` prints.</summary>
    public static IReadOnlyCollection<string> ClassesIn(string listOutput) =>
        listOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("EventKit.Benchmarks.", StringComparison.Ordinal))
            .Select(l => l.Split('.')[2])
            .ToHashSet();

    /// <summary>Per class: how many cases have results and how many have none (failed), from BDN's JSON reports.</summary>
    public static Dictionary<string, (int WithResults, int Failed)> ReadReports(string artifacts)
    {
        var counts = new Dictionary<string, (int, int)>();
        var results = Path.Combine(artifacts, "results");
        if (!Directory.Exists(results))
        {
            return counts;
        }

        foreach (var file in Directory.GetFiles(results, "*.json"))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var benchmark in json.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                var type = benchmark.GetProperty("Type").GetString()!;
                var ok = benchmark.TryGetProperty("Statistics", out var stats) && stats.ValueKind == JsonValueKind.Object;
                var (withResults, failed) = counts.GetValueOrDefault(type);
                counts[type] = ok ? (withResults + 1, failed) : (withResults, failed + 1);
            }
        }

        return counts;
    }

    public sealed record Result(int ExitCode, string Output)
    {
        public string Tail => Output.Length <= 6000 ? Output : Output[^6000..];
    }
}
