using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>A value the benchmark measured itself and left in <see cref="CaseMetrics"/> (latency percentiles, peak working set).</summary>
public sealed class MetricColumn(string metric, string header, string legend, string format, int priority) : IColumn
{
    public string Id => $"{nameof(MetricColumn)}.{metric}";

    public string ColumnName => header;

    public bool AlwaysShow => false;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => priority;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => Value(c) is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        Value(benchmarkCase) is { } value ? value.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static string KeyOf(BenchmarkCase benchmarkCase) => CaseMetrics.Key(
        benchmarkCase.Descriptor.Type.Name,
        benchmarkCase.Descriptor.WorkloadMethod.Name,
        benchmarkCase.Parameters.Items.Select(p => (p.Name, (object?)p.Value)));

    private double? Value(BenchmarkCase benchmarkCase) => CaseMetrics.Read(KeyOf(benchmarkCase), metric);
}
