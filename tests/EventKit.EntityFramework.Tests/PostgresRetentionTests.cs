using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Retention against a concurrent change on PostgreSQL: a dead letter requeued by a transaction that the retention
/// DELETE has to wait for is re-checked when the DELETE gets the row, and survives; a bulk requeue whose batch loses a
/// row that way still goes on to the events after it.
/// </summary>
public sealed class PostgresRetentionTests() : DatabaseTests(new PostgresTestDatabase())
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ServiceProvider? _provider;

    protected override async Task SetUpAsync()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDbContext<PostgresTestDbContext>(Database.Use);
        services.AddEventKit(o => o.CleanupBatchSize = 2).UseEntityFramework<PostgresTestDbContext>();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var scope = _provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>().Database.MigrateAsync();
    }

    protected override async Task TearDownAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task DeleteProcessed_WhileARequeueHoldsTheRow_DeletesOnlyRowsThatStillQualify()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var now = DateTimeOffset.UtcNow;
        var requeued = await InsertDeadLetterAsync(now.AddDays(-10));
        var dead = await InsertDeadLetterAsync(now.AddDays(-9));

        // Transaction 1 requeues one dead letter and keeps its row locked, uncommitted.
        await using var requeueScope = _provider!.CreateAsyncScope();
        var requeueContext = requeueScope.ServiceProvider.GetRequiredService<PostgresTestDbContext>();
        await using var requeue = await requeueContext.Database.BeginTransactionAsync();
        (await requeueScope.ServiceProvider.GetRequiredService<IEventStore>().RequeueAsync(requeued, new EventFilter(), null, 1, "ops", "fixed", now)).Count.Should().Be(1);

        // Transaction 2, retention: its subquery still sees both rows as old dead letters; the DELETE waits for the lock.
        await using var cleanupScope = _provider!.CreateAsyncScope();
        var cleanup = cleanupScope.ServiceProvider.GetRequiredService<IEventStore>()
            .DeleteProcessedAsync(EventStatus.DeadLetter, now.AddDays(-1), 10).AsTask();
        await Poll.UntilAsync("the retention DELETE waiting for the requeued row's lock", () => CountLockWaitsAsync("DELETE"), n => n >= 1, Wait);
        cleanup.IsCompleted.Should().BeFalse();

        await requeue.CommitAsync();
        var deleted = await cleanup.WaitAsync(Wait);

        deleted.Should().Be(1, "the requeued row no longer qualifies when the DELETE reaches it");
        (await StatusOfAsync(requeued)).Should().Be("pending");
        (await StatusOfAsync(dead)).Should().BeNull();
    }

    [SkippableFact]
    public async Task RequeueMatching_WhenARowOfItsBatchIsRequeuedByAnotherTransaction_StillRequeuesTheEventsAfterIt()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var now = DateTimeOffset.UtcNow;
        var first = await InsertDeadLetterAsync(now.AddDays(-10));
        var second = await InsertDeadLetterAsync(now.AddDays(-9));
        var third = await InsertDeadLetterAsync(now.AddDays(-8));

        // Transaction 1 requeues the oldest dead letter and keeps its row locked, uncommitted.
        await using var requeueScope = _provider!.CreateAsyncScope();
        var requeueContext = requeueScope.ServiceProvider.GetRequiredService<PostgresTestDbContext>();
        await using var requeue = await requeueContext.Database.BeginTransactionAsync();
        (await requeueScope.ServiceProvider.GetRequiredService<IEventStore>().RequeueAsync(first, new EventFilter(), null, 1, "ops", "fixed", now)).Count.Should().Be(1);

        // The bulk requeue's first batch (two events) chose the first two; its UPDATE waits for the first one's lock and
        // then skips it (no longer a dead letter): a batch of one, though matching events remain after it.
        var bulk = _provider!.GetRequiredService<IEventOperations>()
            .RequeueMatchingAsync(new EventFilter { Status = EventStatus.DeadLetter }, "ops", "all of them");
        await Poll.UntilAsync("the bulk requeue's UPDATE waiting for the requeued row's lock", () => CountLockWaitsAsync("UPDATE"), n => n >= 1, Wait);
        await requeue.CommitAsync();

        (await bulk.WaitAsync(Wait)).Should().Be(2);
        (await StatusOfAsync(second)).Should().Be("pending");
        (await StatusOfAsync(third)).Should().Be("pending", "it matched when the call started, after the row another transaction took");
    }

    [SkippableFact]
    public async Task PurgeDeadLetters_WhileARequeueHoldsARow_KeepsTheRequeuedEvent_AndPurgesTheRest()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var now = DateTimeOffset.UtcNow;
        var requeued = await InsertDeadLetterAsync(now.AddDays(-10));
        var dead = await InsertDeadLetterAsync(now.AddDays(-9));
        var later = await InsertDeadLetterAsync(now.AddDays(-8));

        // Transaction 1 requeues one dead letter and keeps its row locked, uncommitted.
        await using var requeueScope = _provider!.CreateAsyncScope();
        var requeueContext = requeueScope.ServiceProvider.GetRequiredService<PostgresTestDbContext>();
        await using var requeue = await requeueContext.Database.BeginTransactionAsync();
        (await requeueScope.ServiceProvider.GetRequiredService<IEventStore>().RequeueAsync(requeued, new EventFilter(), null, 1, "ops", "fixed", now)).Count.Should().Be(1);

        // The purge's first batch (two events) chose the first two. Its subquery still sees both as dead letters; its DELETE waits for the lock and must re-check the status.
        var purge = _provider!.GetRequiredService<IEventOperations>()
            .PurgeAsync(new EventFilter { Status = EventStatus.DeadLetter }, "ops", "old dead letters");
        await Poll.UntilAsync("the purge's DELETE waiting for the requeued row's lock", () => CountLockWaitsAsync("DELETE"), n => n >= 1, Wait);
        await requeue.CommitAsync();

        (await purge.WaitAsync(Wait)).Should().Be(2);
        (await StatusOfAsync(requeued)).Should().Be("pending", "it was requeued, no longer a dead letter, when the DELETE reached it");
        (await StatusOfAsync(dead)).Should().BeNull();
        (await StatusOfAsync(later)).Should().BeNull("it matched when the purge started: the batch that lost a row does not end the purge");
    }

    private async Task<Guid> InsertDeadLetterAsync(DateTimeOffset processedAt)
    {
        var id = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO events (id, type, entity, entity_id, payload, status, attempts, available_at, created_at, processed_at, last_error) " +
            "VALUES (@id, 'user.created', 'user', '1', '{}', 'dead_letter', 3, @at, @at, @at, 'gave up')",
            connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("at", processedAt.UtcDateTime);
        await command.ExecuteNonQueryAsync();
        return id;
    }

    private async Task<string?> StatusOfAsync(Guid id)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status FROM events WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task<long> CountLockWaitsAsync(string statement)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE @statement",
            connection);
        command.Parameters.AddWithValue("statement", statement + "%");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
