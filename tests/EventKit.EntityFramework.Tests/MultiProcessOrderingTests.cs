using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Ordering per entity (#16 item 2) across real OS processes: three test hosts share one PostgreSQL database and
/// 20,000 ordered events over 200 entities; each run records its start and finish as positions of one database
/// sequence, so the runs of all processes can be put in one order.
/// </summary>
[Collection(ExclusiveServerCollection.Name)]
public sealed class MultiProcessOrderingTests(ITestOutputHelper output)
{
    private const int Items = 200;
    private const int Steps = 100;
    private const int FailStep = 50;
    private static readonly TimeSpan Overall = TimeSpan.FromMinutes(3);

    [SkippableFact]
    public async Task ThreeProcesses_OrderedEvents_EachEntityStrictlyInOrder_NothingLostNothingDoubled()
    {
        Skip.If(PostgresServer.SkipReason is not null, PostgresServer.SkipReason);
        await using var database = await TestHostDatabase.CreateAsync();
        await database.PublishStepsAsync(Items, Steps);

        // Step 50 of every tenth item fails its first attempt: the item's later steps wait for its retry.
        var hosts = await TestHosts.StartAsync(database, ["a", "b", "c"], _ => ["--batch-size", "100", "--polling", "00:00:00.050", "--retry-base", "00:00:00.200", "--fail-step", $"{FailStep}"]);
        try
        {
            var elapsed = await TestHosts.GoAsync(hosts);
            await Poll.UntilAsync("all events completed", database.CountCompletedAsync, c => c == Items * Steps, Overall);
            output.WriteLine($"processed {Items * Steps:N0} ordered events over {Items} entities with 3 processes in {elapsed.Elapsed.TotalSeconds:F1} s: {Items * Steps / elapsed.Elapsed.TotalSeconds:N0} events/s");
            await TestHosts.StopAllAsync(hosts);

            var runs = await database.QueryAsync(db => db.StepRuns.AsNoTracking().ToListAsync());
            runs.Should().HaveCount(Items * Steps, "every event ran");
            runs.Where(r => r.Runs != 1).Select(r => (r.Item, r.Seq, r.Runs)).Should().BeEquivalentTo(
                Enumerable.Range(0, Items).Where(i => i % 10 == 0).Select(i => (i, FailStep, 2)),
                "only the failing steps ran twice (their retry); nothing else was doubled");
            runs.Should().OnlyContain(r => r.Finished != null);
            foreach (var item in runs.GroupBy(r => r.Item))
            {
                var steps = item.OrderBy(r => r.Seq).ToList();
                steps.Select(r => r.Seq).Should().Equal(Enumerable.Range(1, Steps));
                for (var i = 1; i < steps.Count; i++)
                {
                    steps[i].Started.Should().BeGreaterThan(steps[i - 1].Finished!.Value, $"step {steps[i].Seq} of item {item.Key} starts only after step {steps[i - 1].Seq} finished");
                }
            }

            runs.Select(r => r.Instance).Distinct().Should().BeEquivalentTo(["a", "b", "c"], "every process took part");
            var metrics = await database.GetMetricsAsync();
            metrics.Should().BeEquivalentTo(new { Completed = (long)Items * Steps, Pending = 0, Processing = 0, Failed = 0, DeadLetters = 0 });
        }
        finally
        {
            await TestHosts.DisposeAllAsync(hosts, output);
        }
    }
}
