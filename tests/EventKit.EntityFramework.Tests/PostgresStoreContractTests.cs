using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>The shared store contract on a real PostgreSQL database, schema created by the EF migration.</summary>
public sealed class PostgresStoreContractTests() : EntityFrameworkStoreContractTests<PostgresTestDbContext>(new PostgresTestDatabase())
{
    protected override bool LeasesUseStoreClock => true;

    protected override async Task AgeLeasesAsync(TestApp app, TimeSpan elapsed)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>();
        await context.Database.ExecuteSqlAsync(
            $"UPDATE events SET locked_until = locked_until - {elapsed}, available_at = available_at - {elapsed} WHERE status = 'processing'");
    }

    protected override async Task<DateTimeOffset> LeaseClockAsync(TestApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>();
        var now = await context.Database.SqlQuery<DateTime>($"SELECT clock_timestamp() AS \"Value\"").SingleAsync();
        return new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc));
    }

    /// <summary>
    /// A lease renewal never waits for a row another transaction locks (a settle of the same rows, which locks them in
    /// its own order, deadlocked with a waiting renewal): it renews the others and reports the locked one still held.
    /// </summary>
    [SkippableFact]
    public async Task RenewLeases_RowLockedByAnotherTransaction_DoesNotWait_AndReportsItHeld()
    {
        await using var app = CreateApp();
        var settling = await app.PublishAsync(NewUser());
        var other = await app.PublishAsync(NewUser());
        var now = app.Time.GetUtcNow();
        (await app.WithStoreAsync(s => s.ClaimAsync("p", 10, NoBudget, now, Lease))).Should().HaveCount(2);
        var before = (await app.GetAsync(other)).LockedUntil;
        string connectionString;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            connectionString = scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>().Database.GetConnectionString()!;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var holder = await connection.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM events WHERE id = @id FOR UPDATE", connection, holder))
        {
            lockRow.Parameters.AddWithValue("id", settling);
            (await lockRow.ExecuteScalarAsync()).Should().Be(1);
        }

        // Before the fix this waited for the holder's commit: the timeout turns a wait into a failure, not a hang.
        var renewed = await app.WithStoreAsync(s => s.RenewLeasesAsync([settling, other], "p", now, TimeSpan.FromMinutes(5)))
            .WaitAsync(TimeSpan.FromSeconds(30));
        await holder.RollbackAsync();

        renewed.Should().BeEquivalentTo([settling, other], "the locked row is still leased to p as far as the renewal can tell");
        (await app.GetAsync(other)).LockedUntil.Should().BeAfter(before!.Value, "the row it could lock is renewed");
        (await app.WithStoreAsync(s => s.RenewLeasesAsync([settling], "p", now, TimeSpan.FromMinutes(5)))).Should().Equal(settling);
    }
}
