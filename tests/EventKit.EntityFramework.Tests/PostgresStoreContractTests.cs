using EventKit.ContractTests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
}
