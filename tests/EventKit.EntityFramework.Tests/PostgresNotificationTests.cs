using EventKit.ContractTests;
using EventKit.EntityFramework.Internal;
using EventKit.EntityFramework.Internal.Notifications;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Wake-up across instances on PostgreSQL (#16 item 1): a commit that stores claimable events sends one NOTIFY on the
/// events table's channel, delivered on commit; every running processor listens and claims at once. Each app here is
/// its own DI container (another instance) on a fake clock that never moves unless a test moves it, with an hour-long
/// polling interval: only a notification can explain a wake-up.
/// </summary>
public sealed class PostgresNotificationTests() : DatabaseTests(new PostgresTestDatabase())
{
    private const string Channel = "eventkit.public.events";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    protected override async Task SetUpAsync()
    {
        await using var services = new ServiceCollection().AddDbContext<PostgresTestDbContext>(Database.Use).BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>().Database.MigrateAsync();
    }

    [SkippableFact]
    public async Task Commit_InOneInstance_WakesTheProcessorOfAnother()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var worker = CreateApp();
        var listener = ListenerEvents.Observe<PostgresTestDbContext>(worker.Services);
        Start(worker);
        await listener.WaitForAsync("listening");

        var id = await CreateApp().PublishAsync(NewUser());

        await worker.Probe.Started.Task.WaitAsync(Wait);
        worker.Probe.Calls.Should().Contain(c => c.EventId == id);
        (await listener.NextAsync()).Should().Be("notified");
    }

    [SkippableFact]
    public async Task RolledBackTransaction_SendsNothing_ACommittedOneSendsOne()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var publisher = CreateApp();
        var counter = await CountAsync(Channel);

        await PublishInTransactionAsync(publisher, commit: false);
        (await CountAsync(counter, publisher)).Should().Be(0, "a rolled-back transaction stored nothing");

        await PublishInTransactionAsync(publisher, commit: true);
        (await CountAsync(counter, publisher)).Should().Be(1);
    }

    [SkippableFact]
    public async Task OneTransaction_SendsOneNotification_WhateverItsEventsAndSaves()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var publisher = CreateApp();
        var counter = await CountAsync(Channel);

        await using (var scope = publisher.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishManyAsync(Enumerable.Range(0, 100).Select(_ => NewUser()));
            await scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>().SaveChangesAsync();
        }

        (await CountAsync(counter, publisher)).Should().Be(1, "100 events in one SaveChanges are one transaction");

        await PublishInTransactionAsync(publisher, commit: true, saves: 3);
        (await CountAsync(counter, publisher)).Should().Be(1, "the transaction's end is announced once, whatever it saved");
    }

    [SkippableFact]
    public async Task CommitsEfCoreReports_AreAnnouncedAfterTheCommit_NotInsideTheBusinessTransaction()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var commands = new CommandRecorder();
        var publisher = CreateApp(recorder: commands);
        var counter = await CountAsync(Channel);

        await SaveUserWithEventAsync(publisher, inTransaction: false);
        await SaveUserWithEventAsync(publisher, inTransaction: true);

        commands.Texts.Should().Contain(t => t.Contains("INSERT INTO", StringComparison.Ordinal), "the events were written by the application's SaveChanges");
        commands.Texts.Should().NotContain(t => t.Contains("NOTIFY", StringComparison.Ordinal),
            "a notifying transaction takes PostgreSQL's database-wide notification lock until its commit is flushed, which would serialize the application's commits");
        (await CountAsync(counter, publisher)).Should().BeInRange(1, 2, "each commit asked for one notification after it, and commits close together share one");
    }

    [SkippableFact]
    public async Task ConcurrentCommits_ShareNotifications_AndNoneIsLeftUnannounced()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var worker = CreateApp();
        var listener = ListenerEvents.Observe<PostgresTestDbContext>(worker.Services);
        Start(worker);
        await listener.WaitForAsync("listening");
        var publisher = CreateApp();
        var counter = await CountAsync(Channel);

        // 10 publishers commit 5 events each, one per transaction, while notifications are in flight: the worker polls
        // hourly on a clock that never moves, so only a notification sent after the last commits can explain its
        // finding every event.
        var ids = (await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            var published = new List<Guid>();
            for (var i = 0; i < 5; i++)
            {
                published.Add(await publisher.PublishAsync(NewUser()));
            }

            return published;
        })))).SelectMany(p => p).ToHashSet();

        await Poll.UntilAsync(
            "every event handled by the other instance",
            () => Task.FromResult(ids.IsSubsetOf(worker.Probe.Calls.Select(c => c.EventId))),
            done => done,
            Wait);
        (await CountAsync(counter, publisher)).Should().BeInRange(1, 50, "commits close together share one notification");
    }

    [SkippableFact]
    public async Task TransactionThePublisherCannotSeeEnd_CarriesTheNotifyInside()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var commands = new CommandRecorder();
        var publisher = CreateApp(recorder: commands);
        var counter = await CountAsync(Channel);

        await using (var connection = new NpgsqlConnection(Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var scope = publisher.Services.CreateAsyncScope())
            {
                var context = scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>();
                context.Database.SetDbConnection(connection);
                await context.Database.UseTransactionAsync(transaction);
                var user = NewUser();
                context.Users.Add(new User { Id = user.UserId, Email = $"{user.UserId}@example.com" });
                await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(user);
                await context.SaveChangesAsync();
            }

            // Committed behind EF Core's back: only the NOTIFY in the transaction itself can announce it.
            await transaction.CommitAsync();
        }

        commands.Texts.Should().Contain(t => t.Contains("NOTIFY", StringComparison.Ordinal));
        (await counter.CountAsync(Database.ConnectionString)).Should().Be(1, "delivered with the commit, with nothing sent afterwards");
    }

    [SkippableFact]
    public async Task NotificationThatFails_IsLoggedOncePerRunOfFailures_AndNeverReachesTheApplication()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var notifier = new CommitNotifier(loggers);
        var options = new DbContextOptionsBuilder<PostgresTestDbContext>();
        Database.Use(options);
        await using var context = new PostgresTestDbContext(options.Options);
        var dialect = (PostgreSqlDialect)StoreDialect.Get(context, NullLogger.Instance);
        await using var unreachable = new NpgsqlConnection("Host=127.0.0.1;Port=1;Username=nobody;Password=secret-value;Timeout=2");

        notifier.Send(unreachable, dialect);
        await notifier.FlushAsync();
        notifier.Send(unreachable, dialect);
        await notifier.FlushAsync();

        var failed = logs.WithId(2010);
        failed.Should().ContainSingle("a run of failures is logged once; the processors poll meanwhile");
        failed[0].Level.Should().Be(LogLevel.Warning);
        failed[0].Message.Should().Contain(Channel).And.NotContain("secret-value");
    }

    [SkippableFact]
    public async Task ConnectionsEventKitOpensItself_KeepTheApplicationsPassword()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var role = Environment.GetEnvironmentVariable("EVENTKIT_TEST_POSTGRES_PASSWORD_ROLE");
        if (role is null && PostgresServer.Required)
        {
            throw new InvalidOperationException("CI=true but EVENTKIT_TEST_POSTGRES_PASSWORD_ROLE is not set: ./test.sh must create the password role.");
        }

        Skip.If(role is null, "EVENTKIT_TEST_POSTGRES_PASSWORD_ROLE is not set (./test.sh creates a role that must log in with its password)");
        var withPassword = new NpgsqlConnectionStringBuilder(Database.ConnectionString + ";" + role);
        var withoutPassword = new NpgsqlConnectionStringBuilder(withPassword.ConnectionString) { Password = null };
        await using (var refused = new NpgsqlConnection(withoutPassword.ConnectionString))
        {
            await FluentActions.Awaiting(() => refused.OpenAsync()).Should().ThrowAsync<Exception>("the server asks this role for its password");
        }

        var worker = CreateApp(connectionString: withPassword.ConnectionString);
        var listener = ListenerEvents.Observe<PostgresTestDbContext>(worker.Services);
        Start(worker);
        await listener.WaitForAsync("listening");
        var publisher = CreateApp(connectionString: withPassword.ConnectionString);

        // The publisher's connection is open (and Npgsql hides an open connection's password) when the commit is
        // announced: the NOTIFY's connection is a clone of it.
        var id = await publisher.PublishAsync(NewUser());
        await publisher.Services.GetRequiredService<CommitNotifier>().FlushAsync();

        await worker.Probe.Started.Task.WaitAsync(Wait);
        worker.Probe.Calls.Should().Contain(c => c.EventId == id);
        (await listener.NextAsync()).Should().Be("notified");
    }

    [SkippableFact]
    public async Task UseNotificationsOff_SendsNothing_AndDoesNotListen()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var app = CreateApp(o => o.UseNotifications = false);
        var counter = await CountAsync(Channel);

        await app.PublishAsync(NewUser());

        (await CountAsync(counter, app)).Should().Be(0);
        var listener = app.Services.GetServices<IEventStoreWatcher>().OfType<NotificationListener<PostgresTestDbContext>>().Single();
        listener.WatchAsync(() => { }, CancellationToken.None).IsCompletedSuccessfully.Should().BeTrue("an opted-out listener does not even connect");
        var defaults = CreateApp();
        await defaults.PublishAsync(NewUser());
        (await CountAsync(counter, defaults)).Should().Be(1, "the default is on");
    }

    [SkippableFact]
    public async Task DifferentEventsTables_DoNotWakeEachOther()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var first = TenantApp.Create(Database, new Tenant("tenant_a", UseSchema: true));
        var second = TenantApp.Create(Database, new Tenant("tenant_b", UseSchema: true));
        DisposeAtEnd(first);
        DisposeAtEnd(second);
        await TenantApp.CreateTablesAsync(first);
        await TenantApp.CreateTablesAsync(second);
        var firstChannel = await CountAsync("eventkit.tenant_a.events");
        var secondChannel = await CountAsync("eventkit.tenant_b.events");

        await first.PublishAsync(NewUser());

        (await CountAsync(firstChannel, first)).Should().Be(1);
        (await CountAsync(secondChannel, first, second)).Should().Be(0, "the other table's processors are not woken");
    }

    [SkippableFact]
    public async Task HandedOffAndDelayedEvents_SendNothing()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var app = CreateApp();
        var counter = await CountAsync(Channel);
        var running = Start(app);
        using (var timeout = new CancellationTokenSource(Wait))
        {
            while (!app.Processor.HandOff.IsAccepting)
            {
                await Task.Delay(1, timeout.Token);
            }
        }

        app.Probe.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handedOff = await app.PublishAsync(NewUser());
        await app.Probe.Started.Task.WaitAsync(Wait);
        await app.PublishAsync(NewUser(), new PublishOptions { AvailableAt = TestApp.Start.AddHours(1) });

        (await app.GetAsync(handedOff)).LockedBy.Should().Be(app.Processor.Owner, "the event was handed off");
        (await CountAsync(counter, app)).Should().Be(0, "nobody else could claim either event now");

        await running.DisposeAsync();
        await app.PublishAsync(NewUser());
        (await CountAsync(counter, app)).Should().Be(1, "with no processor to take it, the event is for everyone");
    }

    [SkippableFact]
    public async Task Listener_WhoseConnectionIsKilled_PollsMeanwhile_ReconnectsAndWakesAgain()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var worker = CreateApp(configure: o => o.PollingInterval = TimeSpan.FromMilliseconds(500));
        var publisher = CreateApp();
        var listener = ListenerEvents.Observe<PostgresTestDbContext>(worker.Services);
        Start(worker);
        await listener.WaitForAsync("listening");

        await using (var admin = new NpgsqlConnection(Database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN \"" + Channel + "\"'", admin);
            (await kill.ExecuteScalarAsync()).Should().Be(1L);
        }

        await listener.WaitForAsync("down");

        // Down, and reconnecting only after its first backoff (1 s): the poll (500 ms) still finds events.
        var polled = await publisher.PublishAsync(NewUser());
        worker.Time.Advance(TimeSpan.FromMilliseconds(600));
        await Poll.UntilAsync("the polled event handled", () => Task.FromResult(worker.Probe.Calls.Any(c => c.EventId == polled)), done => done, Wait);
        listener.TryTake(out _).Should().BeFalse("the listener is still waiting to reconnect");

        worker.Time.Advance(TimeSpan.FromMilliseconds(500));
        await listener.WaitForAsync("listening");
        var notified = await publisher.PublishAsync(NewUser());
        await listener.WaitForAsync("notified");
        await Poll.UntilAsync("the notified event handled", () => Task.FromResult(worker.Probe.Calls.Any(c => c.EventId == notified)), done => done, Wait);
    }

    [Fact]
    public void Channel_IsNamedAfterSchemaAndTable_AndFitsPostgresLimit()
    {
        NotificationChannel.For(null, "events").Should().Be(Channel);
        NotificationChannel.For("billing", "events").Should().Be("eventkit.billing.events");
        var longTable = new string('t', 63);
        var a = NotificationChannel.For("schema_one", longTable);
        var b = NotificationChannel.For("schema_two", longTable);
        a.Length.Should().BeLessThanOrEqualTo(63);
        b.Length.Should().BeLessThanOrEqualTo(63);
        a.Should().NotBe(b);
    }

    private TestApp CreateApp(Action<EntityFrameworkStoreOptions>? store = null, Action<EventKitOptions>? configure = null, CommandRecorder? recorder = null, string? connectionString = null)
    {
        var app = TestApp.Create(
            b => b.UseEntityFramework<PostgresTestDbContext>(store ?? (_ => { })),
            o =>
            {
                o.PollingInterval = TimeSpan.FromHours(1);
                configure?.Invoke(o);
            },
            services: s => s.AddDbContext<PostgresTestDbContext>(o =>
            {
                if (connectionString is null)
                {
                    Database.Use(o);
                }
                else
                {
                    o.UseNpgsql(connectionString);
                }

                if (recorder is not null)
                {
                    o.AddInterceptors(recorder);
                }
            }),
            commit: sp => sp.GetRequiredService<PostgresTestDbContext>().SaveChangesAsync());
        DisposeAtEnd(app);
        return app;
    }

    private RunningProcessor Start(TestApp app)
    {
        var running = new RunningProcessor(app);
        DisposeAtEnd(running);
        return running;
    }

    private async Task<NotificationCounter> CountAsync(string channel)
    {
        var counter = await NotificationCounter.StartAsync(Database.ConnectionString, channel);
        DisposeAtEnd(counter);
        return counter;
    }

    /// <summary>The notifications <paramref name="counter"/> received, once <paramref name="apps"/> sent what their commits asked for.</summary>
    private async Task<int> CountAsync(NotificationCounter counter, params TestApp[] apps)
    {
        foreach (var app in apps)
        {
            await app.Services.GetRequiredService<CommitNotifier>().FlushAsync();
        }

        return await counter.CountAsync(Database.ConnectionString);
    }

    /// <summary>A business row and its event in one SaveChanges, in EF Core's implicit transaction or in one it began.</summary>
    private static async Task SaveUserWithEventAsync(TestApp app, bool inTransaction)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>();
        await using var transaction = inTransaction ? await context.Database.BeginTransactionAsync() : null;
        var user = NewUser();
        context.Users.Add(new User { Id = user.UserId, Email = $"{user.UserId}@example.com" });
        await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(user);
        await context.SaveChangesAsync();
        if (transaction is not null)
        {
            await transaction.CommitAsync();
        }
    }

    private static async Task PublishInTransactionAsync(TestApp app, bool commit, int saves = 1)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<PostgresTestDbContext>();
        var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
        await using var transaction = await context.Database.BeginTransactionAsync();
        for (var i = 0; i < saves; i++)
        {
            await publisher.PublishAsync(NewUser());
            await context.SaveChangesAsync();
        }

        if (commit)
        {
            await transaction.CommitAsync();
        }
        else
        {
            await transaction.RollbackAsync();
        }
    }

    /// <summary>The text of every command the context executed (read after execution: EventKit appends its INSERT before).</summary>
    private sealed class CommandRecorder : DbCommandInterceptor
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Texts { get; } = new();

        public override ValueTask<System.Data.Common.DbDataReader> ReaderExecutedAsync(System.Data.Common.DbCommand command, CommandExecutedEventData eventData, System.Data.Common.DbDataReader result, CancellationToken cancellationToken = default)
        {
            Texts.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> NonQueryExecutedAsync(System.Data.Common.DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Texts.Enqueue(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }

    private static UserCreated NewUser() => new(Guid.NewGuid(), "a@example.com", "Ana");
}
