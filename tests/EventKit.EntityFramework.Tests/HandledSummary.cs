namespace EventKit.EntityFramework.Tests;

/// <summary>What the test host's handler recorded, in numbers.</summary>
/// <param name="Rows">Rows in <c>handled</c>: events handled at least once.</param>
/// <param name="MaxRuns">The most runs of one event (1 = no duplicates).</param>
/// <param name="Duplicates">Runs beyond the first, summed over all events.</param>
/// <param name="Missing">Events with no <c>handled</c> row.</param>
/// <param name="ByInstance">Rows per instance that ran the event first.</param>
public sealed record HandledSummary(long Rows, int MaxRuns, long Duplicates, long Missing, IReadOnlyDictionary<string, int> ByInstance)
{
    public override string ToString() =>
        $"handled rows {Rows}, max runs {MaxRuns}, duplicates {Duplicates}, missing {Missing}, by instance: " +
        string.Join(", ", ByInstance.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key} {i.Value}"));
}
