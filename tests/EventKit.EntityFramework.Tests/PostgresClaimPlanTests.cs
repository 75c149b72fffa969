using EventKit.EntityFramework.Internal;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>The claim stays an index scan on a table where most rows are done (README, "Stores").</summary>
public sealed class PostgresClaimPlanTests(ITestOutputHelper output) : DatabaseTests(new PostgresTestDatabase())
{
    [SkippableFact]
    public async Task ClaimQuery_UsesTheRunnableIndex()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var options = new DbContextOptionsBuilder<PostgresTestDbContext>();
        Database.Use(options);
        await using var context = new PostgresTestDbContext(options.Options);
        await context.Database.MigrateAsync();

        // Test data only: 50,000 completed events with their log rows and 200 runnable ones, as in tables that have been in use.
        await context.Database.ExecuteSqlRawAsync("""
            INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at, processed_at)
            SELECT gen_random_uuid(), 'user.created', 'user', g::text, '{{}}', CASE WHEN g <= 50000 THEN 'completed' ELSE 'pending' END,
                   1, now() - interval '1 hour', now() - interval '1 hour', CASE WHEN g <= 50000 THEN now() END
            FROM generate_series(1, 50200) AS g;
            INSERT INTO event_logs (id, event_id, action, result, attempt, duration_ms, created_at)
            SELECT gen_random_uuid(), id, 'WelcomeEmailHandler', 'success', 1, 1.5, now() FROM events WHERE status = 'completed';
            ANALYZE events;
            ANALYZE event_logs;
            """);
        var claim = StoreDialect.For(context).ClaimSql;
        var sql = "EXPLAIN " + claim;

        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("owner", "p1");
        command.Parameters.AddWithValue("now", DateTime.UtcNow);
        command.Parameters.AddWithValue("limit", 100);
        command.Parameters.AddWithValue("lease", TimeSpan.FromSeconds(30));
        command.Parameters.AddWithValue("max_bytes", 4L * 1024 * 1024);
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        output.WriteLine(string.Join(Environment.NewLine, plan));
        plan.Should().Contain(line => line.Contains("Index Scan using ix_events_runnable on events", StringComparison.Ordinal));
        plan.Should().Contain(line => line.Contains("Index Cond: (available_at <= GREATEST(", StringComparison.Ordinal), "one range scan serves due rows (the caller's clock) and expired leases (the database's)");
        plan.Should().Contain(line => line.Contains("WindowAgg", StringComparison.Ordinal), "the payload budget is a running total over the locked candidates");
        plan.Should().Contain(line => line.Contains("Index Scan using ix_event_logs_event_id on event_logs", StringComparison.Ordinal), "the succeeded handlers are looked up by event id");
        plan.Should().Contain(line => line.Contains("event_type_pauses", StringComparison.Ordinal), "paused types are skipped in the same statement");
        plan.Should().NotContain(
            line => line.Contains("Seq Scan", StringComparison.Ordinal) && !line.Contains("event_type_pauses", StringComparison.Ordinal),
            "only the pauses table, a row per paused type, may be read whole");
    }
}
