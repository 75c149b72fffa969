using System.Data.Common;
using EventKit.ContractTests;
using EventKit.EntityFramework.Internal;
using EventKit.Internal.Processing;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// The in-process hand-off (#13 item 3): an event committed while this process's processor runs, is caught up and has
/// room is stored leased to it and runs without a claim; what cannot be handed off (pipeline full, delayed, keyed,
/// a transaction EventKit cannot see commit, a stopping processor, a commit too late in the lease) is stored pending
/// and claimed as before; a rollback gives the room back; another instance cannot claim a handed-off event until its
/// lease expires, and then takes it over as after a crash.
/// </summary>
public abstract class HandOffTests<TContext>(ITestDatabase database) : DatabaseTests(database)
    where TContext : TestDbContext
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Whether leases are granted by the database's clock (PostgreSQL), not by the processor's (fake) one.</summary>
    protected abstract bool LeasesUseStoreClock { get; }

    /// <summary>Points a context at <see cref="DatabaseTests.Database"/>, with a retrying execution strategy when <paramref name="retrying"/>.</summary>
    protected abstract void UseDatabase(DbContextOptionsBuilder options, bool retrying);

    /// <summary>Moves every lease back by <paramref name="elapsed"/> on a store whose leases use its own clock.</summary>
    protected virtual Task AgeLeasesAsync(TestApp app, TimeSpan elapsed) => Task.CompletedTask;

    protected override async Task SetUpAsync()
    {
        await using var services = new ServiceCollection().AddDbContext<TContext>(o => UseDatabase(o, false)).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        await context.Database.MigrateAsync();
        if (!LeasesUseStoreClock)
        {
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
    }

    [SkippableFact]
    public async Task CommittedEvent_IsStoredLeasedToTheRunningProcessor_AndRunsWithoutAClaim()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        var app = CreateApp(claims: claims);
        await StartAsync(app);
        app.Probe.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var id = await app.PublishAsync(NewUser());
        await app.Probe.Started.Task.WaitAsync(Wait);

        var stored = await app.GetAsync(id);
        stored.Status.Should().Be(EventStatus.Processing, "the row was written leased, inside the unit of work");
        stored.Attempts.Should().Be(1);
        stored.LockedBy.Should().Be(app.Processor.Owner);
        if (!LeasesUseStoreClock)
        {
            stored.LockedUntil.Should().Be(TestApp.Start + Lease);
        }

        (await ClaimAsOtherInstanceAsync(app, Lease - TimeSpan.FromSeconds(1))).Should().BeEmpty("another instance never sees a leased event as claimable");

        app.Probe.Gate.SetResult();
        await WaitForAsync(app, id, EventStatus.Completed);
        claims.NonEmpty.Should().BeEmpty("the event went straight to a worker: no claim returned it");
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(1);
        (await app.GetLogAsync(id)).Should().ContainSingle().Which.Should().Match<EventLogEntry>(l => l.Attempt == 1 && l.Result == EventLogResult.Success);
    }

    [SkippableFact]
    public async Task EventsBeyondTheRoom_AreStoredPending_AndClaimed_EachRunsOnce()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();

        // BatchSize 2: a hand-off may take at most 2 places; the third and later events of one SaveChanges are pending.
        var app = CreateApp(o =>
        {
            o.BatchSize = 2;
            o.MaxConcurrency = 1;
        }, claims);
        await StartAsync(app);

        var ids = await PublishManyAsync(app, 7);
        await Task.WhenAll(ids.Select(id => WaitForAsync(app, id, EventStatus.Completed)));

        claims.Claims.Sum(c => c.Count).Should().Be(5, "two events were handed off, the five others were claimed");
        app.Probe.Calls.Select(c => c.EventId).Should().BeEquivalentTo(ids, "every event ran exactly once");
    }

    /// <summary>
    /// Handed-off events past what one statement may send (lowered from 256 MiB to 4 KiB here) are written leased in
    /// several statements, and each runs once without a claim.
    /// </summary>
    [SkippableFact]
    public async Task HandedOffEvents_PastOneStatementsLimit_AreWrittenInSeveralStatements_AndEachRunsOnce()
    {
        Skip.If(SkipReason is not null, SkipReason);
        const long Limit = 4096;
        var claims = new ClaimLog();
        var statements = new PayloadStatements();
        var app = CreateApp(o => o.BatchSize = 20, claims, interceptor: statements, store: o => o.MaxStatementBytes = Limit);
        await StartAsync(app);

        IReadOnlyList<Guid> ids;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            db.Users.Add(NewUserRow());
            ids = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishManyAsync(
                Enumerable.Range(0, 7).Select(_ => new UserCreated(Guid.NewGuid(), "a@example.com", new string('x', 1500))));
            await db.SaveChangesAsync();
        }

        await Task.WhenAll(ids.Select(id => WaitForAsync(app, id, EventStatus.Completed)));
        claims.NonEmpty.Should().BeEmpty("every event was handed off: written leased, run without a claim");
        app.Probe.Calls.Select(c => c.EventId).Should().BeEquivalentTo(ids, "every event ran exactly once");
        if (LeasesUseStoreClock)
        {
            statements.Sizes.Sum().Should().BeGreaterThan(Limit);
            statements.Sizes.Should().HaveCountGreaterThan(1).And.OnlyContain(s => s <= Limit);
        }
    }

    [SkippableFact]
    public async Task DelayedAndKeyedEvents_AreStoredPending()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        var app = CreateApp(claims: claims);
        await StartAsync(app);

        var delayed = await app.PublishAsync(NewUser(), new PublishOptions { AvailableAt = TestApp.Start.AddMinutes(5) });
        var keyed = await app.PublishAsync(NewUser(), new PublishOptions { IdempotencyKey = "order-1" });
        await WaitForAsync(app, keyed, EventStatus.Completed);

        claims.Claims.Sum(c => c.Count).Should().Be(1, "the keyed event was written pending (its key may be taken) and claimed");
        (await app.GetAsync(delayed)).Should().Match<EventRecord>(e => e.Status == EventStatus.Pending && e.Attempts == 0 && e.LockedBy == null);
    }

    [SkippableFact]
    public async Task PausedType_IsNotHandedOff_StaysPendingUntilResumed()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        var app = CreateApp(claims: claims);
        await StartAsync(app);
        const string type = "user.created";
        (await app.Operations.PauseAsync(type, "ana@ops", "provider down")).Should().BeTrue();

        var id = await app.PublishAsync(NewUser());
        (await app.GetAsync(id)).Should().Match<EventRecord>(e => e.Status == EventStatus.Pending && e.LockedBy == null && e.Attempts == 0);

        await app.Operations.ResumeAsync(type, "ana@ops");
        await WaitForAsync(app, id, EventStatus.Completed);
        claims.Claims.Sum(c => c.Count).Should().Be(1, "claimed once resumed");
    }

    [SkippableFact]
    public async Task TypeOfAThrottledHandlerHoldingItsParkedEvents_IsNotHandedOff_StaysPendingAndIsClaimedLater()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();

        // BatchSize 1: the handler (MaxConcurrency 1) holds one parked event at most before its type is passed over.
        var app = CreateApp(
            o =>
            {
                o.BatchSize = 1;
                o.MaxConcurrency = 2;
            },
            claims,
            handlers: b => b.AddHandler<WelcomeEmailHandler>(h => h.MaxConcurrency = 1));
        await StartAsync(app);
        app.Probe.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const string type = "user.created";

        var running = await app.PublishAsync(NewUser());
        await app.Probe.Started.Task.WaitAsync(Wait);
        var parked = await app.PublishAsync(NewUser());
        await Poll.UntilAsync("the handler's type is passed over", () => Task.FromResult(app.Processor.HandOff.Excludes(type)), excluded => excluded, Wait);

        var waiting = await app.PublishAsync(NewUser());
        (await app.GetAsync(waiting)).Should().Match<EventRecord>(
            e => e.Status == EventStatus.Pending && e.LockedBy == null && e.Attempts == 0,
            "the processor holds all the parked events the handler may have: the new one waits in the store");
        (await app.GetAsync(parked)).Status.Should().Be(EventStatus.Processing);

        app.Probe.Gate.SetResult();
        foreach (var id in new[] { running, parked, waiting })
        {
            await WaitForAsync(app, id, EventStatus.Completed);
        }

        claims.Claims.Sum(c => c.Count).Should().Be(1, "the first two were handed off; the waiting one was claimed once the handler caught up");
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(3);
    }

    [SkippableFact]
    public async Task OrderedEvent_IsNotHandedOff_IsStoredPendingAndClaimed_BesideAnUnorderedOneThatIs()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        var app = CreateApp(claims: claims);
        await StartAsync(app);
        app.Probe.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // One unit of work: an ordered event (it may have to wait for an earlier one of its entity, which only the
        // claim can tell) and an unordered one.
        Guid ordered;
        Guid unordered;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            ordered = await publisher.PublishAsync("account.noted", "account", "a-1", new { }, new PublishOptions { Ordered = true });
            unordered = await publisher.PublishAsync(NewUser());
            await scope.ServiceProvider.GetRequiredService<TContext>().SaveChangesAsync();
        }

        await app.Probe.Started.Task.WaitAsync(Wait);
        (await app.GetAsync(unordered)).Should().Match<EventRecord>(e => e.Status == EventStatus.Processing && e.Ordering == EventOrdering.None, "the unordered event was handed off");
        app.Probe.Gate.SetResult();
        await WaitForAsync(app, ordered, EventStatus.Completed);
        await WaitForAsync(app, unordered, EventStatus.Completed);

        claims.Claims.Sum(c => c.Count).Should().Be(1, "the ordered event was stored pending and claimed by the ordering rule");
        (await app.GetAsync(ordered)).Should().Match<EventRecord>(e => e.Ordering == EventOrdering.PerEntity && e.Attempts == 1);
    }

    [SkippableFact]
    public async Task RolledBackTransaction_StoresNothing_AndGivesTheRoomBack()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        var app = CreateApp(o => o.BatchSize = 1, claims);
        await StartAsync(app);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(NewUser());
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
            (await db.Set<EventEntity>().CountAsync()).Should().Be(0);
        }

        // The one place the rolled-back unit of work reserved is free again: the next event is handed off.
        var id = await app.PublishAsync(NewUser());
        await WaitForAsync(app, id, EventStatus.Completed);
        claims.NonEmpty.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task ExplicitTransaction_IsHandedOffAtItsCommit()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        var app = CreateApp(claims: claims);
        await StartAsync(app);

        Guid first, second;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Users.Add(NewUserRow());
            first = await publisher.PublishAsync(NewUser());
            await db.SaveChangesAsync();
            second = await publisher.PublishAsync(NewUser());
            await db.SaveChangesAsync();
            app.Probe.Calls.Should().BeEmpty("nothing runs before the commit");
            await transaction.CommitAsync();
        }

        await WaitForAsync(app, first, EventStatus.Completed);
        await WaitForAsync(app, second, EventStatus.Completed);
        claims.NonEmpty.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task TransactionOfTheApplication_EventKitCannotSeeCommit_StoresPending()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        var app = CreateApp(claims: claims);
        await StartAsync(app);

        Guid id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await db.Database.UseTransactionAsync(transaction);
            id = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(NewUser());
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        app.Time.Advance(app.Options.PollingInterval);
        await WaitForAsync(app, id, EventStatus.Completed);
        claims.Claims.Sum(c => c.Count).Should().Be(1, "stored pending, the event was claimed");
    }

    /// <summary>PostgreSQL only (EF Core's SQLite provider refuses ambient transactions): an ambient transaction's commit is not EventKit's to see.</summary>
    protected async Task TransactionScopeStoresPendingAsync()
    {
        var claims = new ClaimLog();
        var app = CreateApp(claims: claims);
        await StartAsync(app);

        Guid id;
        using (var ambient = new System.Transactions.TransactionScope(System.Transactions.TransactionScopeAsyncFlowOption.Enabled))
        {
            id = await app.PublishAsync(NewUser());
            ambient.Complete();
        }

        app.Time.Advance(app.Options.PollingInterval);
        await WaitForAsync(app, id, EventStatus.Completed);
        claims.Claims.Sum(c => c.Count).Should().Be(1, "stored pending, the event was claimed");
    }

    [SkippableFact]
    public async Task RetryingStrategy_CommitFailsOnce_HandsTheEventOffOnce()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        var failures = new TransactionalPublishTests<TContext>.FailOnce();
        var app = CreateApp(claims: claims, retrying: true, interceptor: failures);
        await StartAsync(app);

        failures.Arm(TransactionalPublishTests<TContext>.FailOnce.Point.Commit);
        Guid id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            db.Users.Add(NewUserRow());
            db.Users.Add(NewUserRow());
            id = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(NewUser());
            await db.SaveChangesAsync();
        }

        failures.Fired.Should().BeTrue();
        await WaitForAsync(app, id, EventStatus.Completed);
        (await CountEventsAsync(app)).Should().Be(1);
        claims.NonEmpty.Should().BeEmpty();
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(1);
    }

    [SkippableFact]
    public async Task CommitTooLateInTheLease_ReleasesTheEvent_WhichIsClaimedAndRunsOnce()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var claims = new ClaimLog();
        // The heartbeat's interval is longer than the time this test lets pass: a heartbeat written while the test holds
        // SQLite's write lock can make the release's settle meet a busy database, and the writer's retry backoff runs
        // on the fake clock, which nothing advances afterwards.
        var app = CreateApp(o => o.ProcessorHeartbeatInterval = TimeSpan.FromMinutes(5), claims);
        await StartAsync(app);

        Guid id;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            id = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(NewUser());
            await db.SaveChangesAsync();

            // The unit of work goes on for more than half the lease before it commits.
            app.Time.Advance(Lease * 0.6);
            await transaction.CommitAsync();
        }

        await WaitForAsync(app, id, EventStatus.Completed);
        claims.Claims.Sum(c => c.Count).Should().Be(1, "released at delivery, then claimed with a fresh lease");
        app.Probe.Calls.Should().ContainSingle().Which.Attempt.Should().Be(1, "the release did not count an attempt");
    }

    [SkippableFact]
    public async Task StoppedProcessor_TakesNoHandOff()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var app = CreateApp();
        var running = await StartAsync(app);
        await running.DisposeAsync();

        var id = await app.PublishAsync(NewUser());
        (await app.GetAsync(id)).Should().Match<EventRecord>(e => e.Status == EventStatus.Pending && e.Attempts == 0 && e.LockedBy == null);
    }

    [SkippableFact]
    public async Task HandedOffEvent_OfAnInstanceThatDied_IsTakenOverAfterItsLease()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var victim = CreateApp();
        await StartAsync(victim);
        victim.Probe.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await victim.PublishAsync(NewUser());
        await victim.Probe.Started.Task.WaitAsync(Wait);

        // The victim hangs in the handler for good: to the others it is a crashed instance holding a lease.
        var survivor = CreateApp();
        var processor = survivor.CreateProcessor("survivor");
        (await survivor.DrainAsync(processor)).Claimed.Should().Be(0, "the lease is live");

        // Past the lease; on the processors' clocks past twice the lease, the skew they tolerate.
        var expired = (LeasesUseStoreClock ? Lease : 2 * Lease) + TimeSpan.FromSeconds(1);
        await AgeLeasesAsync(survivor, expired);
        survivor.Time.Advance(expired);
        (await survivor.DrainAsync(processor)).Completed.Should().Be(1, "after the lease the event is claimed like any other");
        survivor.Probe.Calls.Should().ContainSingle().Which.Attempt.Should().Be(2);
        (await survivor.GetAsync(id)).Status.Should().Be(EventStatus.Completed);

        victim.Probe.Gate.SetResult();
    }

    private TestApp CreateApp(Action<EventKitOptions>? configure = null, ClaimLog? claims = null, bool retrying = false, IInterceptor? interceptor = null, Action<IEventKitBuilder>? handlers = null, Action<EntityFrameworkStoreOptions>? store = null)
    {
        var app = TestApp.Create(
            b => b.UseEntityFramework<TContext>(store ?? (_ => { })),
            o =>
            {
                o.LeaseDuration = Lease;
                configure?.Invoke(o);
            },
            handlers: handlers,
            services: s => s.AddDbContext<TContext>(o =>
            {
                UseDatabase(o, retrying);
                if (interceptor is not null)
                {
                    o.AddInterceptors(interceptor);
                }
            }),
            commit: sp => sp.GetRequiredService<TContext>().SaveChangesAsync(),
            claimLog: claims);
        DisposeAtEnd(app);
        return app;
    }

    /// <summary>Runs the app's processor as the hosted service does, until the test ends; returns once it takes hand-offs.</summary>
    private async Task<IAsyncDisposable> StartAsync(TestApp app)
    {
        var running = DisposeAtEnd(new RunningProcessor(app));
        await running.UntilTakingHandOffsAsync();
        return running;
    }

    private static async Task<IReadOnlyList<Guid>> PublishManyAsync(TestApp app, int count)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var ids = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishManyAsync(Enumerable.Range(0, count).Select(_ => NewUser()));
        await scope.ServiceProvider.GetRequiredService<TContext>().SaveChangesAsync();
        return ids;
    }

    private static Task<EventStatus> WaitForAsync(TestApp app, Guid id, EventStatus status) =>
        Poll.UntilAsync($"event {id} {status}", async () => (await app.GetAsync(id)).Status, s => s == status, Wait);

    private static Task<IReadOnlyList<ClaimedEvent>> ClaimAsOtherInstanceAsync(TestApp app, TimeSpan after) =>
        app.WithStoreAsync(s => s.ClaimAsync("other-instance", 10, int.MaxValue, app.Time.GetUtcNow() + after, Lease));

    private static async Task<int> CountEventsAsync(TestApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TContext>().Set<EventEntity>().CountAsync();
    }

    private static UserCreated NewUser() => new(Guid.NewGuid(), "a@example.com", "Ana");

    private static User NewUserRow() => new() { Id = Guid.NewGuid(), Email = $"{Guid.NewGuid():N}@x" };
}

public sealed class SqliteHandOffTests() : HandOffTests<SqliteTestDbContext>(new SqliteTestDatabase())
{
    protected override bool LeasesUseStoreClock => false;

    protected override void UseDatabase(DbContextOptionsBuilder options, bool retrying) =>
        options.UseSqlite(Database.ConnectionString, o =>
        {
            if (retrying)
            {
                o.ExecutionStrategy(d => new TransactionalPublishTests<SqliteTestDbContext>.TestRetryingStrategy(d));
            }
        });
}

public sealed class PostgresHandOffTests() : HandOffTests<PostgresTestDbContext>(new PostgresTestDatabase())
{
    protected override bool LeasesUseStoreClock => true;

    protected override void UseDatabase(DbContextOptionsBuilder options, bool retrying) =>
        options.UseNpgsql(Database.ConnectionString, o =>
        {
            if (retrying)
            {
                o.ExecutionStrategy(d => new TransactionalPublishTests<PostgresTestDbContext>.TestRetryingStrategy(d));
            }
        });

    protected override async Task AgeLeasesAsync(TestApp app, TimeSpan elapsed)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>().Database.ExecuteSqlAsync(
            $"UPDATE events SET locked_until = locked_until - {elapsed}, available_at = available_at - {elapsed} WHERE status = 'processing'");
    }

    [SkippableFact]
    public Task TransactionScope_IsNotHandedOff_TheEventIsStoredPending()
    {
        Skip.If(SkipReason is not null, SkipReason);
        return TransactionScopeStoresPendingAsync();
    }
}
