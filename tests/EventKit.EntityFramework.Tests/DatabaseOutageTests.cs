using System.Diagnostics;
using EventKit.ContractTests;
using EventKit.EntityFramework.TestHost;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// The database goes away mid-run: a real host (EF store on PostgreSQL, the real clock) must log, back off and
/// resume when the server is back, without the host or its loops stopping and without losing an event.
/// The server it stops is its own <see cref="PrivatePostgresServer"/>, never the shared one that other test
/// assemblies use at the same time.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    private const int EventCount = 3_000;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Overall = TimeSpan.FromMinutes(2);

    [SkippableFact]
    public async Task ServerStoppedMidRun_ProcessorLogsBacksOffAndResumes_NothingLost()
    {
        Skip.If(PrivatePostgresServer.SkipReason is not null, PrivatePostgresServer.SkipReason);
        await using var server = await PrivatePostgresServer.CreateAsync();
        await using var database = await TestHostDatabase.CreateAsync(server.ConnectionString);
        await database.PublishAsync(EventCount, 500);

        var logs = new LogCapture();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddTestHost(database.ConnectionString, new TestHostInstance("outage"), o =>
        {
            o.PollingInterval = TimeSpan.FromMilliseconds(100);

            // The batch the outage cuts off cannot be settled; its leases must expire soon after the server is back.
            o.LeaseDuration = TimeSpan.FromSeconds(3);
            o.BatchSize = 20;
            o.MaxConcurrency = 4;
        });
        using var host = builder.Build();
        var serverDown = false;
        await host.StartAsync();
        try
        {
            var handledBefore = await Poll.UntilAsync("some events handled", database.CountHandledAsync, n => n >= 300, Overall);
            var clock = Stopwatch.StartNew();
            serverDown = true;
            await server.StopAsync();
            var downAt = clock.Elapsed;
            await Task.Delay(Outage); // the outage itself, not a wait for a result
            await server.StartAsync();
            serverDown = false;
            var upAt = clock.Elapsed;

            await Poll.UntilAsync("all events completed", database.CountCompletedAsync, c => c == EventCount, Overall, tolerateDatabaseErrors: true);
            var doneAt = clock.Elapsed;

            var summary = await database.SummarizeHandledAsync();
            var metrics = await database.GetMetricsAsync();
            var eventKitLogs = logs.Entries.Where(e => e.Category.StartsWith("EventKit.", StringComparison.Ordinal)).ToList();
            output.WriteLine($"{handledBefore} of {EventCount} handled when the stop began; server down after {downAt.TotalSeconds:F1} s, up again after {upAt.TotalSeconds:F1} s; all completed {(doneAt - upAt).TotalSeconds:F1} s after the restart");
            output.WriteLine(summary.ToString());
            output.WriteLine("EventKit warnings and errors: " + string.Join(", ", eventKitLogs
                .Where(e => e.Level >= LogLevel.Warning)
                .GroupBy(e => (e.EventId.Id, e.Level))
                .OrderBy(g => g.Key.Id)
                .Select(g => $"{g.Key.Id} {g.Key.Level} x{g.Count()}")));

            metrics.Should().BeEquivalentTo(new { Completed = EventCount, Pending = 0, Processing = 0, Failed = 0, DeadLetters = 0 }, "nothing is lost or left behind");
            summary.Rows.Should().Be(EventCount, "every event is handled at least once");
            summary.Missing.Should().Be(0);
            eventKitLogs.Should().Contain(
                e => e.Level == LogLevel.Error && e.EventId.Id == 1016,
                "the processor logs that it could not claim or failed, then backs off");

            host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested
                .Should().BeFalse("an unavailable database must not stop the host");
            var loops = host.Services.GetServices<IHostedService>().OfType<BackgroundService>()
                .Where(s => s.GetType().Assembly == typeof(IEventPublisher).Assembly)
                .ToList();
            loops.Should().NotBeEmpty().And.AllSatisfy(s => s.ExecuteTask.Should().NotBeNull()
                .And.Match<Task>(t => !t.IsCompleted, $"{s.GetType().Name} must still be running"));
        }
        finally
        {
            try
            {
                if (serverDown)
                {
                    // Up again, so the database can be dropped.
                    await server.StartAsync();
                }
            }
            finally
            {
                await host.StopAsync();

                // Pooled connections the restart broke must not be reused, by the database's drop or by later tests.
                NpgsqlConnection.ClearAllPools();
            }
        }
    }
}
