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
        await using var context = await MigratedContextAsync();

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
        var plan = await ExplainClaimAsync(context);
        output.WriteLine(string.Join(Environment.NewLine, plan));
        plan.Should().Contain(line => line.Contains("Index Scan using ix_events_runnable on events", StringComparison.Ordinal));
        plan.Should().Contain(line => line.Contains("Index Cond: (available_at <= GREATEST(", StringComparison.Ordinal), "one range scan serves due rows (the caller's clock) and expired leases (the database's)");
        plan.Should().Contain(line => line.Contains("WindowAgg", StringComparison.Ordinal), "the payload budget is a running total over the locked candidates");
        plan.Should().Contain(line => line.Contains("Index Scan using ix_event_logs_event_id on event_logs", StringComparison.Ordinal), "the succeeded handlers are looked up by event id");
        plan.Should().Contain(line => line.Contains("event_type_pauses", StringComparison.Ordinal), "paused types are skipped in the same statement");
        string.Join('\n', plan).Split("NOT (hashed SubPlan").Length.Should().Be(3,
            "paused and excluded types are each one hashed subplan, tested per passed-over row by a hash lookup (an array scan per row, <> ALL(@excluded), cost 4-5 times as much)");
        plan.Should().NotContain(line => line.Contains("<> ALL", StringComparison.Ordinal));
        plan.Should().NotContain(
            line => line.Contains("Seq Scan", StringComparison.Ordinal) && !line.Contains("event_type_pauses", StringComparison.Ordinal),
            "only the pauses table, a row per paused type, may be read whole");
    }

    [SkippableFact]
    public async Task ClaimQuery_OnOrderedEvents_ProbesTheOrderedIndex_NeverTheEntitysHistory()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using var context = await MigratedContextAsync();

        // Test data only: 100,000 completed ordered events of 1,000 accounts (their history), then 2,000 runnable ones
        // of the same accounts, 2 each, and 1,000 unordered ones.
        await context.Database.ExecuteSqlRawAsync("""
            INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at, processed_at, ordering)
            SELECT gen_random_uuid(), 'account.changed', 'account', (g % 1000)::text, '{{}}', 'completed', 1,
                   now() - interval '2 hours', now() - interval '2 hours' + g * interval '1 ms', now(), 1
            FROM generate_series(1, 100000) AS g;
            INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at, ordering)
            SELECT gen_random_uuid(), 'account.changed', 'account', (g % 1000)::text, '{{}}', 'pending', 0,
                   now() - interval '1 hour', now() - interval '1 hour' + g * interval '1 ms', 1
            FROM generate_series(1, 2000) AS g;
            INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at)
            SELECT gen_random_uuid(), 'user.created', 'user', g::text, '{{}}', 'pending', 0, now() - interval '1 hour', now() - interval '1 hour'
            FROM generate_series(1, 1000) AS g;
            ANALYZE events;
            """);

        var plan = await ExplainClaimAsync(context);

        output.WriteLine(string.Join(Environment.NewLine, plan));
        plan.Should().Contain(line => line.Contains("Index Scan using ix_events_runnable on events", StringComparison.Ordinal), "candidates still come from the runnable index in due order");
        plan.Should().Contain(line => line.Contains("using ix_events_ordered on events o", StringComparison.Ordinal), "the probe for an earlier unfinished event of the entity reads the partial index");
        plan.Should().Contain(line => line.Contains("Index Cond: (", StringComparison.Ordinal) && line.Contains("= (q.entity_id)", StringComparison.Ordinal)
            && line.Contains("(ROW(created_at, id) < ROW(q.created_at, q.id))", StringComparison.Ordinal),
            "the probe is one range of one entity, before the candidate");
        plan.Should().NotContain(
            line => line.Contains("Seq Scan", StringComparison.Ordinal) && !line.Contains("event_type_pauses", StringComparison.Ordinal),
            "only the pauses table may be read whole");
        plan.Should().NotContain(line => line.Contains("ix_events_entity_created_at", StringComparison.Ordinal), "the entity's history (completed rows) is never read");
    }

    private async Task<PostgresTestDbContext> MigratedContextAsync()
    {
        var options = new DbContextOptionsBuilder<PostgresTestDbContext>();
        Database.Use(options);
        var context = new PostgresTestDbContext(options.Options);
        await context.Database.MigrateAsync();
        return context;
    }

    /// <summary>The plan of the claim statement, with the parameters a processor passes.</summary>
    private async Task<List<string>> ExplainClaimAsync(PostgresTestDbContext context)
    {
        var sql = "EXPLAIN " + StoreDialect.For(context).ClaimSql;
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("owner", "p1");
        command.Parameters.AddWithValue("now", DateTime.UtcNow);
        command.Parameters.AddWithValue("limit", 100);
        command.Parameters.AddWithValue("lease", TimeSpan.FromSeconds(30));
        command.Parameters.AddWithValue("max_bytes", 4L * 1024 * 1024);
        command.Parameters.AddWithValue("excluded", new[] { "limited.type" });
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return plan;
    }
}
