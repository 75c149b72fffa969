using EventKit.ContractTests;
using EventKit.InMemory;
using EventKit.Internal;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace EventKit.Tests;

public sealed class EventKitServiceCollectionExtensionsTests
{
    [Fact]
    public void AddEventKit_Twice_AddsNothingTheSecondTime()
    {
        var services = new ServiceCollection();
        services.AddEventKit().AddHandler<WelcomeEmailHandler>();
        var count = services.Count;

        services.AddEventKit().AddHandler<WelcomeEmailHandler>();

        services.Count.Should().Be(count);
        services.Count(d => d.ServiceType == typeof(IHostedService)).Should().Be(3, "processor, cleanup and backlog sampler");
    }

    [Fact]
    public void AddEventKit_Twice_SharesTheHandlerRegistrations()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<HandlerProbe>();
        services.AddEventKit().AddHandler<WelcomeEmailHandler>();
        services.AddEventKit().AddHandler<WelcomeNotificationHandler>();

        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<HandlerRegistry>().GetHandlers("user.created").Select(h => h.Name)
            .Should().Equal(nameof(WelcomeEmailHandler), nameof(WelcomeNotificationHandler));
    }

    [Fact]
    public void AddEventKit_RegistersServicesWithTheirLifetimes()
    {
        var services = new ServiceCollection();
        services.AddEventKit();

        services.Should().ContainSingle(d => d.ServiceType == typeof(IEventPublisher)).Which.Lifetime.Should().Be(ServiceLifetime.Scoped);
        services.Should().ContainSingle(d => d.ServiceType == typeof(IEventOperations)).Which.Lifetime.Should().Be(ServiceLifetime.Singleton);
        services.Should().ContainSingle(d => d.ServiceType == typeof(IEventStore)).Which.ImplementationType.Should().Be<InMemoryEventStore>();
        services.Should().ContainSingle(d => d.ServiceType == typeof(TimeProvider)).Which.ImplementationInstance.Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public void AddEventKit_KeepsServicesRegisteredBefore()
    {
        var services = new ServiceCollection();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var store = new InMemoryEventStore();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IEventStore>(store);

        services.AddEventKit();

        services.Should().ContainSingle(d => d.ServiceType == typeof(TimeProvider)).Which.ImplementationInstance.Should().BeSameAs(time);
        services.Should().ContainSingle(d => d.ServiceType == typeof(IEventStore)).Which.ImplementationInstance.Should().BeSameAs(store);
    }

    [Fact]
    public void UseInMemoryStore_ReplacesAnotherStore()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEventStore>(new InMemoryEventStore());

        services.AddEventKit().UseInMemoryStore();

        services.Should().ContainSingle(d => d.ServiceType == typeof(IEventStore)).Which.ImplementationType.Should().Be<InMemoryEventStore>();
    }

    [Fact]
    public void AddHandler_RegistersTheHandlerScoped_ForEachEventTypeItHandles()
    {
        var services = new ServiceCollection();
        services.AddEventKit().AddHandler<BillingHandler>().AddHandler<BillingHandler>();

        services.Should().ContainSingle(d => d.ServiceType == typeof(BillingHandler)).Which.Lifetime.Should().Be(ServiceLifetime.Scoped);
        var registry = (HandlerRegistry)services.Single(d => d.ServiceType == typeof(HandlerRegistry)).ImplementationInstance!;
        registry.GetHandlers("invoice.paid").Should().ContainSingle().Which.HandlerType.Should().Be<BillingHandler>();
        registry.GetHandlers("task.overdue").Should().ContainSingle().Which.HandlerType.Should().Be<BillingHandler>();
    }

    [Fact]
    public void AddHandler_NotAHandler_Throws()
    {
        var add = () => new ServiceCollection().AddEventKit().AddHandler<string>();

        add.Should().Throw<InvalidOperationException>().WithMessage("*implements no IEventHandler<TPayload>*");
    }

    [Fact]
    public void AddHandler_PayloadWithoutEventType_ThrowsSuggestingTheExplicitForm()
    {
        var add = () => new ServiceCollection().AddEventKit().AddHandler<RawJsonHandler>();

        add.Should().Throw<InvalidOperationException>()
            .WithMessage("*has no [EventType(\"…\")] attribute*AddHandler<RawJsonHandler, JsonElement>(\"event.type\")*");
    }

    [Fact]
    public void AddHandler_ExplicitInvalidEventType_ThrowsNamingTheArgument()
    {
        var add = () => new ServiceCollection().AddEventKit().AddHandler<RawJsonHandler, System.Text.Json.JsonElement>("Not Valid");

        add.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("eventType");
    }

    [Fact]
    public void AddHandler_TwoHandlersWithTheSameName_Throws()
    {
        var add = () => new ServiceCollection().AddEventKit()
            .AddHandler<WelcomeEmailHandler>()
            .AddHandler<Other.WelcomeEmailHandler>();

        add.Should().Throw<InvalidOperationException>().WithMessage("*both named 'WelcomeEmailHandler' for event type 'user.created'*");
    }

    [Fact]
    public void AddHandler_OnAForeignBuilder_Throws()
    {
        var add = () => new ForeignBuilder().AddHandler<WelcomeEmailHandler>();

        add.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("builder");
    }

    [Fact]
    public void NullArguments_Throw()
    {
        ((Action)(() => EventKitServiceCollectionExtensions.AddEventKit(null!))).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("services");
        ((Action)(() => EventKitBuilderExtensions.AddHandler<WelcomeEmailHandler>(null!))).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("builder");
        ((Action)(() => EventKitBuilderExtensions.UseInMemoryStore(null!))).Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("builder");
    }

    private sealed class ForeignBuilder : IEventKitBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }
}
