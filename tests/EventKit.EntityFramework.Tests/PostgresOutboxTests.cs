namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="OutboxTests{TContext}"/> on PostgreSQL.</summary>
public sealed class PostgresOutboxTests() : OutboxTests<PostgresTestDbContext>(new PostgresTestDatabase());
