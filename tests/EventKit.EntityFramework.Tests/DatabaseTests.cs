using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Tests that each run on a fresh database of their own: it is created before each test and removed after it. When
/// the database cannot run here (<see cref="SkipReason"/>), nothing is created and the tests skip with the reason.
/// </summary>
/// <param name="database">The provider's database: a <see cref="SqliteTestDatabase"/> or a <see cref="PostgresTestDatabase"/>.</param>
public abstract class DatabaseTests(ITestDatabase database) : IAsyncLifetime
{
    protected ITestDatabase Database => database;

    /// <summary>Why the tests cannot run here, or <see langword="null"/>; each test starts with <c>Skip.If(SkipReason is not null, SkipReason)</c>.</summary>
    protected string? SkipReason => database.SkipReason;

    public async Task InitializeAsync()
    {
        if (SkipReason is null)
        {
            await database.CreateAsync();
            await SetUpAsync();
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await TearDownAsync();
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>Runs once the database exists (not when the tests skip): the schema, the services on it.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    /// <summary>Runs before the database is removed, also when <see cref="SetUpAsync"/> failed or never ran.</summary>
    protected virtual Task TearDownAsync() => Task.CompletedTask;
}
