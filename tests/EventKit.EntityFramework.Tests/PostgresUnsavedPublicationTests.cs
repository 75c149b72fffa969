namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="UnsavedPublicationTests{TContext}"/> on PostgreSQL.</summary>
public sealed class PostgresUnsavedPublicationTests() : UnsavedPublicationTests<PostgresTestDbContext>(new PostgresTestDatabase());
