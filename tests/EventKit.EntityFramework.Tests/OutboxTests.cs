using EventKit.ContractTests;
using EventKit.Internal;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// The transactional outbox (contract item 1) and the commit wake-up, on each real database: an event commits
/// if and only if the business change commits, and a commit wakes the processor in this process.
/// </summary>
public abstract class OutboxTests<TContext>(ITestDatabase database) : DatabaseTests(database)
    where TContext : TestDbContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(TestApp.Start);
    private ServiceProvider? _provider;

    protected override async Task SetUpAsync()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<HandlerProbe>();
        services.AddDbContext<TContext>(Database.Use);
        services.AddEventKit(o => o.PollingInterval = TimeSpan.FromHours(1))
            .UseEntityFramework<TContext>()
            .AddHandler<WelcomeEmailHandler>();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var scope = _provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TContext>().Database.MigrateAsync();
    }

    protected override async Task TearDownAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task SaveChanges_CommitsTheBusinessRowAndTheEventTogether()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var user = new User { Id = Guid.NewGuid(), Email = "ana@example.com" };

        Guid id;
        await using (var scope = _provider!.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            db.Users.Add(user);
            id = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new UserCreated(user.Id, user.Email, "Ana"));
            (await CountEventsAsync()).Should().Be(0, "nothing is visible before SaveChanges");
            await db.SaveChangesAsync();
        }

        (await CountUsersAsync()).Should().Be(1);
        var stored = await Operations.GetEventAsync(id);
        stored!.Event.Should().BeEquivalentTo(new { Type = "user.created", EntityId = user.Id.ToString(), Status = EventStatus.Pending, CreatedAt = TestApp.Start });
    }

    [SkippableFact]
    public async Task Publish_WithoutSaveChanges_StoresNothing()
    {
        Skip.If(SkipReason is not null, SkipReason);

        await using (var scope = _provider!.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TContext>().Users.Add(new User { Id = Guid.NewGuid(), Email = "a@b.c" });
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        }

        (await CountEventsAsync()).Should().Be(0);
        (await CountUsersAsync()).Should().Be(0);
    }

    [SkippableFact]
    public async Task TransactionRolledBack_LeavesNeitherRowNorEvent()
    {
        Skip.If(SkipReason is not null, SkipReason);

        await using (var scope = _provider!.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Users.Add(new User { Id = Guid.NewGuid(), Email = "a@b.c" });
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        (await CountEventsAsync()).Should().Be(0);
        (await CountUsersAsync()).Should().Be(0);
        Announced().Should().Be((false, null), "a rolled-back event must not wake the processor");
    }

    [SkippableFact]
    public async Task FailedSaveChanges_StoresNoEvent()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await using (var scope = _provider!.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            db.Users.Add(new User { Id = Guid.NewGuid(), Email = "taken@example.com" });
            await db.SaveChangesAsync();
        }

        await using (var scope = _provider!.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            db.Users.Add(new User { Id = Guid.NewGuid(), Email = "taken@example.com" });
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new UserCreated(Guid.NewGuid(), "taken@example.com", "B"));
            var save = () => db.SaveChangesAsync();
            await save.Should().ThrowAsync<DbUpdateException>("the e-mail is unique");
        }

        (await CountEventsAsync()).Should().Be(0);
        Announced().Should().Be((false, null));
    }

    [SkippableFact]
    public async Task FailedSaveChanges_ThenASuccessfulOne_StoresTheEvent_AndWakesTheProcessor()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Announced();
        await using var scope = _provider!.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var clash = new User { Id = Guid.NewGuid(), Email = "clash@example.com" };
        await using (var other = _provider!.CreateAsyncScope())
        {
            var otherDb = other.ServiceProvider.GetRequiredService<TContext>();
            otherDb.Users.Add(new User { Id = Guid.NewGuid(), Email = "clash@example.com" });
            await otherDb.SaveChangesAsync();
        }

        db.Users.Add(clash);
        await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new UserCreated(Guid.NewGuid(), "x@example.com", "X"));
        var save = () => db.SaveChangesAsync();
        await save.Should().ThrowAsync<DbUpdateException>();
        Announced().Should().Be((false, null), "nothing was committed");

        // The application fixes the conflict and saves again: the still-tracked event commits and announces itself.
        clash.Email = "fixed@example.com";
        await db.SaveChangesAsync();

        (await CountEventsAsync()).Should().Be(1);
        Announced().Runnable.Should().BeTrue();
    }

    [SkippableFact]
    public async Task Commit_WakesTheProcessor_OnlyOnceCommitted()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Announced();

        await using var scope = _provider!.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await publisher.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"), new PublishOptions { AvailableAt = TestApp.Start.AddMinutes(5) });
            await db.SaveChangesAsync();
            Announced().Should().Be((false, null), "inside the transaction the event is not visible to the processor yet");
            await transaction.CommitAsync();
        }

        Announced().Should().Be((false, TestApp.Start.AddMinutes(5)), "the commit announces when the event comes due");

        await publisher.PublishAsync(new UserCreated(Guid.NewGuid(), "b@b.c", "B"));
        await db.SaveChangesAsync();
        Announced().Should().Be((true, TestApp.Start.AddMinutes(5)), "SaveChanges without a transaction commits at once; the delayed event's due time is kept");

        db.Users.Add(new User { Id = Guid.NewGuid(), Email = "c@b.c" });
        await db.SaveChangesAsync();
        Announced().Should().Be((false, TestApp.Start.AddMinutes(5)), "a SaveChanges without events announces nothing");
    }

    [SkippableFact]
    public async Task HostedProcessor_HandlesACommittedEvent_WithoutWaitingForAPoll()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var hosted = _provider!.GetServices<IHostedService>().ToArray();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            Guid id;
            await using (var scope = _provider!.CreateAsyncScope())
            {
                id = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
                await scope.ServiceProvider.GetRequiredService<TContext>().SaveChangesAsync();
            }

            await _provider!.GetRequiredService<HandlerProbe>().Started.Task.WaitAsync(Wait);
            using var timeout = new CancellationTokenSource(Wait);
            while ((await Operations.GetEventAsync(id))!.Event.Status != EventStatus.Completed)
            {
                await Task.Delay(5, timeout.Token);
            }

            _time.GetUtcNow().Should().Be(TestApp.Start, "the hourly poll never came: the commit woke the processor");
        }
        finally
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    [SkippableFact]
    public async Task IdempotencyKey_TwiceInOneUnitOfWork_AddsOneEvent()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var options = new PublishOptions { IdempotencyKey = "order-7" };

        await using (var scope = _provider!.CreateAsyncScope())
        {
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            var first = await publisher.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"), options);
            var second = await publisher.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"), options);
            second.Should().Be(first);
            await scope.ServiceProvider.GetRequiredService<TContext>().SaveChangesAsync();
        }

        (await CountEventsAsync()).Should().Be(1);
    }

    private IEventOperations Operations => _provider!.GetRequiredService<IEventOperations>();

    private EventSignal Signal => _provider!.GetRequiredService<EventSignal>();

    /// <summary>What the signal holds now (and forgets: runnable, and due times that have come).</summary>
    private (bool Runnable, DateTimeOffset? Next) Announced() => Signal.Take(_time.GetUtcNow());

    private async Task<long> CountEventsAsync()
    {
        var metrics = await Operations.GetMetricsAsync();
        return metrics.Pending + metrics.Processing + metrics.Completed + metrics.Failed + metrics.DeadLetters;
    }

    private async Task<int> CountUsersAsync()
    {
        await using var scope = _provider!.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TContext>().Users.CountAsync();
    }
}
