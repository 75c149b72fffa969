using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// A fresh database for one test, on one provider: created by <see cref="CreateAsync"/>, removed on dispose. Tests
/// written against it run unchanged on SQLite (<see cref="SqliteTestDatabase"/>) and PostgreSQL
/// (<see cref="PostgresTestDatabase"/>).
/// </summary>
public interface ITestDatabase : IAsyncDisposable
{
    /// <summary>
    /// Why this database cannot run here (no server), or <see langword="null"/>; tests then report skipped with it.
    /// Never set under CI=true: there a missing server makes <see cref="CreateAsync"/> fail.
    /// </summary>
    string? SkipReason { get; }

    /// <summary>The database's connection string, once <see cref="CreateAsync"/> made it.</summary>
    string ConnectionString { get; }

    /// <summary>Creates the empty database. Not called when <see cref="SkipReason"/> is set.</summary>
    Task CreateAsync();

    /// <summary>Points a context at this database with its provider (UseSqlite, UseNpgsql).</summary>
    void Use(DbContextOptionsBuilder options);
}
