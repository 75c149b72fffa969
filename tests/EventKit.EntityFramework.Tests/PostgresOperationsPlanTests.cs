using EventKit.EntityFramework.Internal;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// The operations' queries stay index scans on a large table (README, "Operating EventKit"): every filtered page reads
/// an index in the page's order from a position in the middle of the table (no sort of the matches, no sequential scan), and the timeline scans time ranges.
/// </summary>
public sealed class PostgresOperationsPlanTests(ITestOutputHelper output) : DatabaseTests(new PostgresTestDatabase())
{
    public static TheoryData<string, string> Pages => new()
    {
        { "status", "status" },
        { "type", "type" },
        { "entity", "entity" },
    };

    [SkippableTheory]
    [MemberData(nameof(Pages))]
    public async Task EventsPage_ReadsAnIndexOfItsFilter_InPageOrder(string filterBy, string column)
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var context = await SeedAsync();
        var filter = filterBy switch
        {
            "status" => new EventFilter { Status = EventStatus.DeadLetter },
            "type" => new EventFilter { Type = "type.3" },
            _ => new EventFilter { Entity = "order", EntityId = "17" },
        };

        foreach (var order in new[] { EventOrder.NewestFirst, EventOrder.OldestFirst })
        {
            await using var command = new NpgsqlCommand();
            var sql = StoreDialect.For(context).EventsPageSql(filter, order, new EventPosition(DateTimeOffset.UtcNow.AddHours(-24), Guid.NewGuid()), 101, value =>
            {
                var name = "p" + command.Parameters.Count;
                command.Parameters.AddWithValue(name, value);
                return "@" + name;
            });
            var plan = await ExplainAsync(command, sql);

            // The planner picks the filter's own index (…_{column}_created_at, the keyset a range of it) or, when it
            // estimates fewer rows that way, ix_events_created_at_type in page order with the filter in its condition and
            // an incremental sort of equal creation times. Never a sort of all the matches.
            plan.Should().Contain(line => line.Contains("Index Cond:", StringComparison.Ordinal) && line.Contains($"({column})", StringComparison.Ordinal), "the filter is a condition of the index scan");
            plan.Should().NotContain(line => Regex.IsMatch(line, @"(^|->)\s*Sort\s+\("), "the index gives the page order");
            plan.Should().NotContain(line => line.Contains("Seq Scan", StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public async Task Timeline_ScansTimeRangesOfIndexes()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var context = await SeedAsync();
        await using var command = new NpgsqlCommand();
        command.Parameters.AddWithValue("from", DateTime.UtcNow.AddHours(-1));
        command.Parameters.AddWithValue("to", DateTime.UtcNow);
        command.Parameters.AddWithValue("width", 60L);

        var plan = await ExplainAsync(command, StoreDialect.For(context).TimelineSql);

        plan.Should().Contain(line => line.Contains("ix_events_created_at_type", StringComparison.Ordinal));
        plan.Should().Contain(line => line.Contains("ix_events_status_processed_at", StringComparison.Ordinal));
        plan.Should().Contain(line => line.Contains("ix_event_logs_created_at", StringComparison.Ordinal));
        plan.Should().NotContain(line => line.Contains("Seq Scan", StringComparison.Ordinal));
    }

    private async Task<PostgresTestDbContext> SeedAsync()
    {
        var options = new DbContextOptionsBuilder<PostgresTestDbContext>();
        Database.Use(options);
        var context = new PostgresTestDbContext(options.Options);
        await context.Database.MigrateAsync();

        // Test data only: 100,000 events over two days (mostly completed, some dead letters and pending) of 10 types and
        // 5,000 orders, with a log row each, as in a table that has been in use.
        await context.Database.ExecuteSqlRawAsync("""
            INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at, processed_at)
            SELECT gen_random_uuid(), 'type.' || (g % 10), 'order', (g % 5000)::text, '{{}}',
                   CASE WHEN g % 100 = 0 THEN 'dead_letter' WHEN g % 100 = 1 THEN 'pending' ELSE 'completed' END,
                   1, now() - g * interval '1.7 seconds', now() - g * interval '1.7 seconds',
                   CASE WHEN g % 100 = 1 THEN NULL ELSE now() - g * interval '1.7 seconds' + interval '1 second' END
            FROM generate_series(1, 100000) AS g;
            INSERT INTO event_logs (id, event_id, action, result, attempt, duration_ms, created_at)
            SELECT gen_random_uuid(), id, 'Handler', CASE WHEN status = 'dead_letter' THEN 'failure' ELSE 'success' END, 1, 1.5, created_at
            FROM events WHERE status <> 'pending';
            ANALYZE events;
            ANALYZE event_logs;
            """);
        return context;
    }

    private async Task<List<string>> ExplainAsync(NpgsqlCommand command, string sql)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        command.Connection = connection;
        command.CommandText = "EXPLAIN " + sql;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        output.WriteLine(sql);
        output.WriteLine(string.Join(Environment.NewLine, plan));
        return plan;
    }
}
