using EventKit.ContractTests;
using EventKit.InMemory;
using EventKit.Internal;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventKit.Tests;

public sealed class EventKitHealthCheckTests
{
    private static readonly HealthCheckContext Context = new()
    {
        Registration = new HealthCheckRegistration("eventkit", _ => null!, HealthStatus.Unhealthy, null),
    };

    [Fact]
    public async Task Healthy_WhenNothingWaitsTooLong_AndTheLoopCycles()
    {
        await using var app = CreateApp();
        await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        Beat(app);

        var result = await Check(app);

        result.Status.Should().Be(HealthStatus.Healthy);
        result.Data.Should().Contain(new Dictionary<string, object> { ["waiting"] = 1L, ["oldest_runnable_age_seconds"] = 60.0, ["dead_letters"] = 0L });
    }

    [Fact]
    public async Task Unhealthy_WhenTheOldestRunnableEventWaitsBeyondMaxBacklogAge()
    {
        await using var app = CreateApp();
        await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        app.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Beat(app);

        var result = await Check(app);

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("the oldest runnable event has waited 00:05:01 (MaxBacklogAge 00:05:00)");
    }

    [Fact]
    public async Task Unhealthy_WhenTheProcessorLoopIsSilent()
    {
        await using var app = CreateApp();
        Beat(app);
        app.Time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));

        var result = await Check(app);

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("the processor loop has not completed a cycle since").And.Contain("MaxProcessorSilence 00:02:00");
    }

    [Fact]
    public async Task ProcessorSilence_IsIgnored_WhenProcessingIsDisabled()
    {
        await using var app = CreateApp(o => o.EnableProcessing = false);
        app.Time.Advance(TimeSpan.FromHours(1));

        (await Check(app)).Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task Degraded_WhenDeadLettersExceedTheThreshold()
    {
        await using var app = CreateApp(configureCheck: o => o.DeadLetterThreshold = 1);
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("gone"));
        await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        await app.DrainAsync();
        Beat(app);
        (await Check(app)).Status.Should().Be(HealthStatus.Healthy, "one dead letter is within the threshold");

        await app.PublishAsync(new UserCreated(Guid.NewGuid(), "b@b.c", "B"));
        await app.DrainAsync();
        var result = await Check(app);

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Description.Should().Be("2 dead-lettered events (DeadLetterThreshold 1).");
    }

    [Fact]
    public async Task Unhealthy_WhenTheStoreCannotBeRead()
    {
        var store = new ObservedStore(new InMemoryEventStore()) { FailReads = true };
        await using var app = CreateApp(store: store);

        var result = await Check(app);

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Be("The event store cannot be read.");
        result.Exception.Should().BeOfType<InvalidOperationException>();
    }

    [Fact]
    public async Task Options_OutOfRange_FailWithTheirNames()
    {
        await using var app = CreateApp(configureCheck: o => o.MaxBacklogAge = TimeSpan.Zero);

        var resolve = () => app.Services.GetRequiredService<IOptionsMonitor<EventKitHealthCheckOptions>>().Get("eventkit");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*EventKitHealthCheckOptions.MaxBacklogAge must be between 00:00:01 and 7.00:00:00; it was 00:00:00.*");
    }

    private static TestApp CreateApp(Action<EventKitOptions>? configure = null, Action<EventKitHealthCheckOptions>? configureCheck = null, IEventStore? store = null) =>
        TestApp.Create(
            b => b.Services.Replace(store is null ? ServiceDescriptor.Singleton<IEventStore, InMemoryEventStore>() : ServiceDescriptor.Singleton(store)),
            configure,
            b =>
            {
                b.AddHandler<WelcomeEmailHandler>();
                b.Services.AddHealthChecks().AddEventKit(configureCheck);
            });

    private static void Beat(TestApp app) => app.Services.GetRequiredService<ProcessorHeartbeat>().Beat(app.Time.GetUtcNow());

    private static Task<HealthCheckResult> Check(TestApp app) => app.Services.GetRequiredKeyedService<EventKitHealthCheck>("eventkit").CheckHealthAsync(Context);
}
