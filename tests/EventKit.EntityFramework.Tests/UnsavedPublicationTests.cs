using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventKit.EntityFramework.Tests;

/// <summary>
/// Publishing with the EF store only adds the event to the scope's context: a handler (or a request) that returns
/// without SaveChanges loses it. That is never silent: the processor names the handler and the event types (1027),
/// and any other scope gets the store's warning when it ends (2005).
/// </summary>
public abstract class UnsavedPublicationTests<TContext>(ITestDatabase database) : DatabaseTests(database)
    where TContext : TestDbContext
{
    private readonly LogCapture _logs = new();

    [SkippableFact]
    public async Task HandlerPublishingWithoutSaving_IsNamedInAWarning_AndTheEventIsNotStored()
    {
        await using var app = await CreateAppAsync(b => b.AddHandler<ForgetfulHandler>());

        var id = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));
        await app.DrainAsync();

        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed, "the handler itself succeeded");
        var warning = _logs.WithId(1027).Should().ContainSingle().Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain(nameof(ForgetfulHandler)).And.Contain("invoice.paid").And.Contain(id.ToString());
        (await app.Operations.GetMetricsAsync()).Completed.Should().Be(1, "the invoice.paid event was never stored");
        _logs.WithId(2005).Should().BeEmpty("the processor already reported it");
    }

    [SkippableFact]
    public async Task HandlerPublishingAndSaving_StoresTheEvent_WithoutAWarning()
    {
        await using var app = await CreateAppAsync(b => b.AddHandler<CarefulHandler<TContext>>());

        await app.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));
        await app.DrainAsync();

        (await app.Operations.GetMetricsAsync()).Completed.Should().Be(2, "the handler's event was saved and handled");
        _logs.WithId(1027).Should().BeEmpty();
        _logs.WithId(2005).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task FailingHandler_ItsUnsavedEventsAreDiscardedOnPurpose_WithoutAWarning()
    {
        await using var app = await CreateAppAsync(b => b.AddHandler<ForgetfulFailingHandler>());

        await app.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));
        await app.DrainAsync();

        _logs.WithId(1027).Should().BeEmpty();
        _logs.WithId(2005).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task ScopeEndingWithoutSaveChanges_GetsTheStoresWarning()
    {
        await using var app = await CreateAppAsync(b => b.AddHandler<ForgetfulHandler>());

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new InvoicePaid(7, 10m));
        }

        var warning = _logs.WithId(2005).Should().ContainSingle().Subject;
        warning.Message.Should().Contain("invoice.paid").And.Contain(typeof(TContext).Name);
        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(0);
    }

    private async Task<TestApp> CreateAppAsync(Action<IEventKitBuilder> handlers)
    {
        Skip.If(SkipReason is not null, SkipReason);
        var app = TestApp.Create(
            b => b.UseEntityFramework<TContext>(),
            handlers: handlers,
            services: s =>
            {
                s.AddDbContext<TContext>(Database.Use);
                s.AddSingleton<ILoggerFactory>(new LoggerFactory([_logs]));
                s.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            },
            commit: sp => sp.GetRequiredService<TContext>().SaveChangesAsync());
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TContext>().Database.MigrateAsync();
        return app;
    }

    /// <summary>Publishes a follow-up event and forgets to save it.</summary>
    public sealed class ForgetfulHandler(IEventPublisher publisher) : IEventHandler<UserCreated>
    {
        public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken) =>
            await publisher.PublishAsync(new InvoicePaid(1, 9.5m), cancellationToken: cancellationToken);
    }

    public sealed class ForgetfulFailingHandler(IEventPublisher publisher) : IEventHandler<UserCreated>
    {
        public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
        {
            await publisher.PublishAsync(new InvoicePaid(1, 9.5m), cancellationToken: cancellationToken);
            throw new InvalidOperationException("The handler failed after publishing.");
        }
    }

    public sealed class CarefulHandler<T>(IEventPublisher publisher, T db) : IEventHandler<UserCreated>
        where T : TestDbContext
    {
        public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
        {
            await publisher.PublishAsync(new InvoicePaid(1, 9.5m), cancellationToken: cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
