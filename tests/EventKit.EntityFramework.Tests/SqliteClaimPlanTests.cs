using EventKit.EntityFramework.Internal;
using FluentAssertions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>On SQLite, the claim's choice of rows reads the runnable index, and probes ordered events' entities in the ordered index.</summary>
public sealed class SqliteClaimPlanTests(ITestOutputHelper output) : DatabaseTests(new SqliteTestDatabase())
{
    [Fact]
    public async Task DueQuery_ReadsTheRunnableIndex_AndProbesTheOrderedIndex()
    {
        var options = new DbContextOptionsBuilder<SqliteTestDbContext>();
        Database.Use(options);
        await using var context = new SqliteTestDbContext(options.Options);
        await context.Database.MigrateAsync();

        // Test data only: 20,000 completed ordered events of 200 accounts (their history) and 400 pending ones.
        await context.Database.ExecuteSqlRawAsync("""
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20400)
            INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at, ordering)
            SELECT printf('%08X-0000-7000-8000-000000000000', n), 'account.changed', 'account', CAST(n % 200 AS TEXT), '{{}}',
                   CASE WHEN n <= 20000 THEN 'completed' ELSE 'pending' END, 0,
                   '2026-01-01 00:00:00', strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || n || ' seconds'), 1
            FROM g;
            ANALYZE;
            """);

        var plan = new List<string>();
        await using (var connection = new SqliteConnection(Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + ((SqliteDialect)StoreDialect.For(context)).DueSql;
            command.Parameters.AddWithValue("@now", "2026-02-01 00:00:00");
            command.Parameters.AddWithValue("@expired_before", "2026-02-01 00:00:00");
            command.Parameters.AddWithValue("@limit", 100);
            command.Parameters.AddWithValue("@excluded", "[\"limited.type\"]");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }

        output.WriteLine(string.Join(Environment.NewLine, plan));
        plan.Should().Contain(line => line.StartsWith("SEARCH q USING INDEX ix_events_runnable", StringComparison.Ordinal), "candidates come from the runnable index in due order");
        plan.Should().Contain(line => line.StartsWith("SEARCH o USING ", StringComparison.Ordinal) && line.Contains("INDEX ix_events_ordered (entity=? AND entity_id=? AND created_at<", StringComparison.Ordinal),
            "the probe for an earlier unfinished event of the entity is one range of the partial index");
        plan.Should().NotContain(line => line.Contains("SCAN q", StringComparison.Ordinal) || line.Contains("SCAN o", StringComparison.Ordinal), "no table scan");
        plan.Should().NotContain(line => line.Contains("TEMP B-TREE", StringComparison.Ordinal), "the index gives the due order");
    }
}
