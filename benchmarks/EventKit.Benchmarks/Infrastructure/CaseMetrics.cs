using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// Measurements a benchmark takes itself (latency percentiles, peak working set), handed to the report columns
/// through one small JSON file per benchmark case in <see cref="BenchSettings.MetricsDirectory"/>. Files, because
/// BenchmarkDotNet runs each case in a child process by default; the host process builds the report.
/// </summary>
public static class CaseMetrics
{
    /// <summary>The file key of a case: type, method and parameters sorted by name.</summary>
    public static string Key(string type, string method, IEnumerable<(string Name, object? Value)> parameters)
    {
        var key = new StringBuilder(type).Append('.').Append(method).Append('(');
        var first = true;
        foreach (var (name, value) in parameters.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            key.Append(first ? "" : ",").Append(name).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
            first = false;
        }

        return key.Append(')').ToString();
    }

    public static void Write(string key, IReadOnlyDictionary<string, double> metrics)
    {
        Directory.CreateDirectory(BenchSettings.MetricsDirectory);
        var clean = metrics.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value);
        File.WriteAllText(PathOf(key), JsonSerializer.Serialize(clean));
    }

    public static double? Read(string key, string metric)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return null;
        }

        var values = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(path));
        return values is not null && values.TryGetValue(metric, out var value) ? value : null;
    }

    private static string PathOf(string key)
    {
        var name = new StringBuilder(key.Length);
        foreach (var c in key)
        {
            name.Append(char.IsLetterOrDigit(c) || c is '.' or '=' or ',' or '-' ? c : '_');
        }

        return Path.Combine(BenchSettings.MetricsDirectory, name.Append(".json").ToString());
    }
}
