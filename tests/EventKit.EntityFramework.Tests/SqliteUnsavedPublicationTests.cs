namespace EventKit.EntityFramework.Tests;

/// <summary><see cref="UnsavedPublicationTests{TContext}"/> on SQLite.</summary>
public sealed class SqliteUnsavedPublicationTests() : UnsavedPublicationTests<SqliteTestDbContext>(new SqliteTestDatabase());
