namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="OutboxTests{TContext}"/> on SQLite.</summary>
public sealed class SqliteOutboxTests() : OutboxTests<SqliteTestDbContext>(new SqliteTestDatabase());
