using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// Throughput relative to the raw baseline of the same group (same store and parameters): baseline mean / mean.
/// 0.80 means EventKit does 80 % of the events per second the hand-written loop does. The targets are stated this
/// way; BenchmarkDotNet's own Ratio column is the inverse (time ratio).
/// </summary>
public sealed class ThroughputRatioColumn : IColumn
{
    public string Id => nameof(ThroughputRatioColumn);

    public string ColumnName => "Throughput vs raw";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Events/s of this method divided by events/s of the raw baseline in the same run and group";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var baseline = summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase));
        if (baseline is null
            || summary[benchmarkCase]?.ResultStatistics is not { Mean: > 0 } mine
            || summary[baseline]?.ResultStatistics is not { Mean: > 0 } reference)
        {
            return "-";
        }

        return (reference.Mean / mine.Mean).ToString("0.00", CultureInfo.InvariantCulture) + "x";
    }
}
