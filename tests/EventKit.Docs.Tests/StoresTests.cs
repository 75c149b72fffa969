using EventKit.EntityFramework;
using EventKit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>Runs the README's "Stores" snippets: the registration as shown (PostgreSQL, no server needed) and the use case on SQLite.</summary>
public sealed class StoresTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"eventkit-docs-{Guid.NewGuid():N}.db");

    [Fact]
    public void Registration_WithNpgsql_PassesStartUpValidation_AndMapsTheTablesIntoTheAppsModel()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IEmailSender, FakeEmailSender>();
        StoresSnippets.Register(services, "Host=localhost;Database=app;Username=app;Password=secret");
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

        // What host start-up validates (provider supported, AddEventKit() in the model); no connection is opened.
        _ = provider.GetRequiredService<IOptions<EventKitOptions>>().Value;

        using var scope = provider.CreateScope();
        var script = scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.GenerateCreateScript();
        Assert.Contains("CREATE TABLE \"Users\"", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE events", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE event_logs", script, StringComparison.Ordinal);
        Assert.Contains("payload json NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX ix_events_runnable", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseCase_OnSqlite_CommitsTheUserAndItsEventTogether_OrNeither()
    {
        var email = new FakeEmailSender();
        var services = new ServiceCollection();
        services.AddSingleton<IEmailSender>(email);

        // The README's registration with UseSqlite instead of UseNpgsql.
        services.AddDbContext<AppDbContext>(o => o.UseSqlite($"Data Source={_path}"));
        services.AddEventKit().UseEntityFramework<AppDbContext>().AddHandler<WelcomeEmailHandler>();
        await using var harness = EventKitHarness.Create(services);
        await harness.RunInScopeAsync(sp => sp.GetRequiredService<AppDbContext>().Database.EnsureCreatedAsync());

        var user = new User { Email = "ana@example.com", Name = "Ana" };
        await harness.RunInScopeAsync(sp => StoresSnippets.CreateUserAsync(sp.GetRequiredService<AppDbContext>(), sp.GetRequiredService<IEventPublisher>(), user));
        Assert.Equal(1, (await harness.DrainAsync()).Completed);
        Assert.Equal([("ana@example.com", "Welcome, Ana!")], email.Sent);

        // The same user again: SaveChanges fails on the primary key, so its event is not stored either.
        var duplicate = new User { Id = user.Id, Email = "ana@example.com", Name = "Ana" };
        await Assert.ThrowsAsync<DbUpdateException>(() => harness.RunInScopeAsync(sp =>
            StoresSnippets.CreateUserAsync(sp.GetRequiredService<AppDbContext>(), sp.GetRequiredService<IEventPublisher>(), duplicate)));

        var metrics = await harness.Operations.GetMetricsAsync();
        Assert.Equal((0, 1), (metrics.Pending, metrics.Completed));
        await harness.RunInScopeAsync(async sp => Assert.Equal(1, await sp.GetRequiredService<AppDbContext>().Users.CountAsync()));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
