using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Tests that each run on a fresh database of their own: it is created before each test and removed after it. When
/// the database cannot run here (<see cref="SkipReason"/>), nothing is created and the tests skip with the reason.
/// </summary>
/// <param name="database">The provider's database: a <see cref="SqliteTestDatabase"/> or a <see cref="PostgresTestDatabase"/>.</param>
public abstract class DatabaseTests(ITestDatabase database) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposeAtEnd = [];

    protected ITestDatabase Database => database;

    /// <summary>Disposes <paramref name="item"/> when the test ends, the latest first, before <see cref="TearDownAsync"/>.</summary>
    protected T DisposeAtEnd<T>(T item)
        where T : IAsyncDisposable
    {
        _disposeAtEnd.Add(item);
        return item;
    }

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
            for (var i = _disposeAtEnd.Count - 1; i >= 0; i--)
            {
                await _disposeAtEnd[i].DisposeAsync();
            }

            await TearDownAsync();
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    /// <summary>Applies <typeparamref name="TContext"/>'s migration to the test's database, through a context configured by <paramref name="use"/>.</summary>
    protected static async Task MigrateAsync<TContext>(Action<DbContextOptionsBuilder> use)
        where TContext : DbContext
    {
        await using var services = new ServiceCollection().AddDbContext<TContext>(use).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TContext>().Database.MigrateAsync();
    }

    /// <summary>Runs once the database exists (not when the tests skip): the schema, the services on it.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    /// <summary>Runs before the database is removed, also when <see cref="SetUpAsync"/> failed or never ran.</summary>
    protected virtual Task TearDownAsync() => Task.CompletedTask;
}
