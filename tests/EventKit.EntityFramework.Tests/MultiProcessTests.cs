using System.Diagnostics;
using EventKit.EntityFramework.TestHost;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// ARCHITECTURE.md items 2 and 3 across real OS processes: three test hosts share one PostgreSQL database and
/// 20,000 events; the handler's upsert into a table unique on (event_id, handler) counts every run.
/// </summary>
[Collection(ExclusiveServerCollection.Name)]
public sealed class MultiProcessTests(ITestOutputHelper output)
{
    private const int EventCount = 20_000;
    private const int PublishPerCommit = 500;
    private static readonly TimeSpan Overall = TimeSpan.FromMinutes(3);

    [SkippableFact]
    public async Task ThreeProcesses_ShareOneDatabase_EveryEventHandledExactlyOnce()
    {
        Skip.If(PostgresServer.SkipReason is not null, PostgresServer.SkipReason);
        await using var database = await TestHostDatabase.CreateAsync();
        await PublishAsync(database);

        var hosts = await TestHosts.StartAsync(database, ["a", "b", "c"], _ => ["--batch-size", "100", "--polling", "00:00:00.100"]);
        try
        {
            var elapsed = await TestHosts.GoAsync(hosts);
            await WaitForAllCompletedAsync(database);
            output.WriteLine($"processed {EventCount:N0} events with 3 processes in {elapsed.Elapsed.TotalSeconds:F1} s: {EventCount / elapsed.Elapsed.TotalSeconds:N0} events/s");

            await TestHosts.StopAllAsync(hosts);
            var summary = await database.SummarizeHandledAsync();
            output.WriteLine(summary.ToString());

            await AssertAllCompletedAsync(database);
            summary.Rows.Should().Be(EventCount);
            summary.Missing.Should().Be(0);
            summary.MaxRuns.Should().Be(1, "no event may be handled twice when no process fails");
            summary.Duplicates.Should().Be(0);
            summary.ByInstance.Keys.Should().BeEquivalentTo(["a", "b", "c"], "every process started before any event was claimed and must have taken some");
            var logged = await database.QueryAsync(db => db.Database
                .SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM event_logs WHERE result = 'success'").SingleAsync());
            logged.Should().Be(EventCount, "every handler run is logged once");
        }
        finally
        {
            await TestHosts.DisposeAllAsync(hosts, output);
        }
    }

    [SkippableFact]
    public async Task ProcessKilledMidBatch_OthersFinishItsEventsAfterTheLease_DuplicatesOnlyAmongItsLeasedEvents()
    {
        Skip.If(PostgresServer.SkipReason is not null, PostgresServer.SkipReason);
        await using var database = await TestHostDatabase.CreateAsync();
        await PublishAsync(database);

        // Short leases and small batches; the victim pauses inside its 200th handler run, so it is killed with a
        // batch it has handled (all of it or in part) but not settled: exactly the events whose outcome a crash loses.
        string[] common = ["--lease", "00:00:03", "--batch-size", "20", "--concurrency", "4", "--polling", "00:00:00.100"];
        var hosts = await TestHosts.StartAsync(database, ["victim", "b", "c"], name => name == "victim" ? [.. common, "--pause-after", "200"] : common);
        var victim = hosts[0];
        try
        {
            var elapsed = await TestHosts.GoAsync(hosts);
            await victim.WaitForLineAsync("paused", Overall);
            var victimHandled = await database.QueryAsync(db => db.Handled.CountAsync(h => h.Instance == "victim"));

            await victim.KillAsync();
            var killedAt = elapsed.Elapsed;
            var inFlight = await LeasedToAsync(database, victim);
            output.WriteLine($"killed the victim (pid {victim.Id}) at {killedAt.TotalSeconds:F1} s, after it handled {victimHandled} events; it held {inFlight.Count} leased events");

            await WaitForAllCompletedAsync(database);
            output.WriteLine($"all {EventCount:N0} events completed {(elapsed.Elapsed - killedAt).TotalSeconds:F1} s after the kill, {elapsed.Elapsed.TotalSeconds:F1} s after start");
            await TestHosts.StopAllAsync(hosts[1..]);

            var (summary, inFlightIds, duplicated, finished) = await AfterTheKillAsync(database, inFlight);
            output.WriteLine($"duplicates: {summary.Duplicates} (bound: {inFlight.Count} in flight)");

            victimHandled.Should().BeGreaterThanOrEqualTo(200);
            inFlight.Should().NotBeEmpty("the victim was killed inside a batch");
            await AssertAllCompletedAsync(database);
            summary.Rows.Should().Be(EventCount);
            summary.Missing.Should().Be(0);
            summary.Duplicates.Should().BePositive("the victim recorded at least the paused run, and it was run again")
                .And.BeLessThanOrEqualTo(inFlight.Count);
            duplicated.Should().BeSubsetOf(inFlightIds, "only events the victim held when it died may run twice");
            inFlight.Should().AllSatisfy(e => finished[e.Id].Should().BeOnOrAfter(e.LockedUntil!.Value, "another process may take it only once the lease expired"));
        }
        finally
        {
            await TestHosts.DisposeAllAsync(hosts, output);
        }
    }

    [SkippableFact]
    public async Task ProcessKilledHoldingHandedOffEvents_AnotherRunsThemAfterTheLease_NothingLostNothingElseDoubled()
    {
        Skip.If(PostgresServer.SkipReason is not null, PostgresServer.SkipReason);
        const int published = 200;
        await using var database = await TestHostDatabase.CreateAsync();

        // The victim publishes 200 events one per SaveChanges while its only worker hangs in the first run: it takes
        // what it has room for by hand-off (and by claims once it fell behind), and is killed holding them.
        string[] common = ["--lease", "00:00:03", "--batch-size", "20", "--polling", "00:00:00.100"];
        var hosts = await TestHosts.StartAsync(database, ["victim"], _ => [.. common, "--concurrency", "1", "--pause-after", "1", "--publish", $"{published}", "--debug-log", "true"]);
        var victim = hosts[0];
        try
        {
            await TestHosts.GoAsync(hosts);
            await victim.WaitForLineAsync("published", Overall);
            await victim.WaitForLineAsync("paused", Overall);
            var inFlight = await LeasedToAsync(database, victim);
            await victim.KillAsync();
            var handedOff = victim.Errors.Split('\n').Count(l => l.Contains("too late in their lease: False", StringComparison.Ordinal));
            output.WriteLine($"killed the victim holding {inFlight.Count} leased events; {handedOff} hand-offs logged");

            handedOff.Should().BePositive("the victim's processor took events committed in its process by hand-off");
            inFlight.Count.Should().BeGreaterThan(1, "the victim held events besides the hanging one");

            hosts = [.. hosts, .. await TestHosts.StartAsync(database, ["survivor"], _ => common)];
            await TestHosts.GoAsync(hosts[1..]);
            await Poll.UntilAsync("all events completed", database.CountCompletedAsync, c => c == published, Overall);
            await TestHosts.StopAllAsync(hosts[1..]);

            var (summary, inFlightIds, duplicated, finished) = await AfterTheKillAsync(database, inFlight);

            summary.Rows.Should().Be(published);
            summary.Missing.Should().Be(0);
            summary.Duplicates.Should().Be(1, "only the hanging run had run in the victim");
            duplicated.Should().BeSubsetOf(inFlightIds);
            inFlight.Should().AllSatisfy(e => finished[e.Id].Should().BeOnOrAfter(e.LockedUntil!.Value, "no other process may take a leased event before its lease expired"));
        }
        finally
        {
            await TestHosts.DisposeAllAsync(hosts, output);
        }
    }

    [SkippableFact]
    public async Task PublisherAndTwoWorkers_HourLongPolling_NotificationsDeliverEveryEventOnce()
    {
        Skip.If(PostgresServer.SkipReason is not null, PostgresServer.SkipReason);
        const int published = 300;
        await using var database = await TestHostDatabase.CreateAsync();

        // The workers poll once an hour: only the publisher's notifications (#16 item 1) can get its events handled.
        var hosts = await TestHosts.StartAsync(database, ["publisher", "a", "b"], name => name == "publisher"
            ? ["--processing", "false", "--publish", $"{published}"]
            : ["--polling", "01:00:00"]);
        try
        {
            var elapsed = await TestHosts.GoAsync(hosts);
            await Poll.UntilAsync("all events completed", database.CountCompletedAsync, c => c == published, Overall);
            output.WriteLine($"{published} events published one per SaveChanges in one process, all handled by two others in {elapsed.Elapsed.TotalSeconds:F1} s");
            await TestHosts.StopAllAsync(hosts);

            var summary = await database.SummarizeHandledAsync();
            output.WriteLine(summary.ToString());
            summary.Rows.Should().Be(published);
            summary.Missing.Should().Be(0);
            summary.Duplicates.Should().Be(0);
            summary.ByInstance.Keys.Should().BeSubsetOf(["a", "b"], "the publisher does not process");
        }
        finally
        {
            await TestHosts.DisposeAllAsync(hosts, output);
        }
    }

    /// <summary>The events leased to <paramref name="process"/> (its owner id holds its pid): what it holds in flight.</summary>
    private static Task<List<LeaseRow>> LeasedToAsync(TestHostDatabase database, TestHostProcess process)
    {
        var pattern = $"%/{process.Id}/%";
        return database.QueryAsync(db => db.Database
            .SqlQuery<LeaseRow>($"SELECT id AS \"Id\", locked_until AS \"LockedUntil\" FROM events WHERE status = 'processing' AND locked_by LIKE {pattern}")
            .ToListAsync());
    }

    /// <summary>Once the others finished a killed process's events: the handled summary, which events ran twice, and when each of <paramref name="inFlight"/> was processed.</summary>
    private async Task<(HandledSummary Summary, List<Guid> InFlightIds, List<Guid> Duplicated, Dictionary<Guid, DateTime?> Finished)> AfterTheKillAsync(TestHostDatabase database, List<LeaseRow> inFlight)
    {
        var summary = await database.SummarizeHandledAsync();
        output.WriteLine(summary.ToString());
        var inFlightIds = inFlight.Select(e => e.Id).ToList();
        var duplicated = await database.QueryAsync(db => db.Handled.Where(h => h.Runs > 1).Select(h => h.EventId).ToListAsync());
        var finished = await database.QueryAsync(db => db.Database
            .SqlQuery<ProcessedRow>($"SELECT id AS \"Id\", processed_at AS \"ProcessedAt\" FROM events WHERE id = ANY({inFlightIds})")
            .ToDictionaryAsync(e => e.Id, e => e.ProcessedAt));
        return (summary, inFlightIds, duplicated, finished);
    }

    private async Task PublishAsync(TestHostDatabase database)
    {
        var elapsed = Stopwatch.StartNew();
        await database.PublishAsync(EventCount, PublishPerCommit);
        output.WriteLine($"published {EventCount:N0} events ({PublishPerCommit} per SaveChanges) in {elapsed.Elapsed.TotalSeconds:F1} s: {EventCount / elapsed.Elapsed.TotalSeconds:N0} events/s");
    }

    private static Task<long> WaitForAllCompletedAsync(TestHostDatabase database) =>
        Poll.UntilAsync("all events completed", database.CountCompletedAsync, c => c == EventCount, Overall);

    private static async Task AssertAllCompletedAsync(TestHostDatabase database)
    {
        var metrics = await database.GetMetricsAsync();
        metrics.Should().BeEquivalentTo(new { Completed = EventCount, Pending = 0, Processing = 0, Failed = 0, DeadLetters = 0 });
    }

    private sealed class LeaseRow
    {
        public Guid Id { get; set; }

        public DateTime? LockedUntil { get; set; }
    }

    private sealed class ProcessedRow
    {
        public Guid Id { get; set; }

        public DateTime? ProcessedAt { get; set; }
    }
}
