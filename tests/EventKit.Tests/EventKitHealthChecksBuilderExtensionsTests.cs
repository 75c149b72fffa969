using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.Tests;

public sealed class EventKitHealthChecksBuilderExtensionsTests
{
    [Fact]
    public void AddEventKit_RegistersOneCheck_WithTheDefaults()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddEventKit();
        using var provider = services.BuildServiceProvider();

        var registration = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Should().ContainSingle().Subject;

        registration.Should().BeEquivalentTo(new { Name = "eventkit", FailureStatus = HealthStatus.Unhealthy, Timeout = Timeout.InfiniteTimeSpan });
        registration.Tags.Should().BeEmpty();
    }

    [Fact]
    public void AddEventKit_TakesNameFailureStatusTagsAndTimeout_AsAddCheckDoes()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddEventKit(name: "outbox", failureStatus: HealthStatus.Degraded, tags: ["ready"], timeout: TimeSpan.FromSeconds(5));
        using var provider = services.BuildServiceProvider();

        var registration = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Should().ContainSingle().Subject;

        registration.Should().BeEquivalentTo(new { Name = "outbox", FailureStatus = HealthStatus.Degraded, Timeout = TimeSpan.FromSeconds(5) });
        registration.Tags.Should().BeEquivalentTo("ready");
    }

    [Fact]
    public async Task CheckHealth_ThroughTheHealthCheckService_RunsTheEventKitCheck()
    {
        await using var provider = Build(h => h.AddEventKit());

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Entries.Should().ContainKey("eventkit").WhoseValue.Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task CheckHealth_WhenNotProcessing_ReportsTheRegisteredFailureStatus_WithItsOwnThresholds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var provider = Build(
            h => h.AddEventKit(o => o.MaxProcessorSilence = TimeSpan.FromMinutes(10), name: "outbox", failureStatus: HealthStatus.Degraded),
            time);
        var service = provider.GetRequiredService<HealthCheckService>();
        _ = await service.CheckHealthAsync();

        // No processor runs in this provider (no host started): after MaxProcessorSilence, the check reports it.
        time.Advance(TimeSpan.FromMinutes(9));
        (await service.CheckHealthAsync()).Entries["outbox"].Status.Should().Be(HealthStatus.Healthy, "the silence is within this registration's 10 minutes");
        time.Advance(TimeSpan.FromMinutes(2));
        var entry = (await service.CheckHealthAsync()).Entries["outbox"];

        entry.Status.Should().Be(HealthStatus.Degraded);
        entry.Description.Should().Contain("MaxProcessorSilence 00:10:00");
    }

    [Fact]
    public async Task CheckHealth_WithoutAddEventKit_FailsNamingTheMissingRegistration()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddEventKit();
        await using var provider = services.BuildServiceProvider();

        var check = () => provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        await check.Should().ThrowAsync<InvalidOperationException>().WithMessage("*call services.AddEventKit()*");
    }

    [Fact]
    public void Options_OutOfRange_FailWithTheirNames_PerRegistration()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddEventKit(o => o.DeadLetterThreshold = -1, name: "outbox");
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptionsMonitor<EventKitHealthCheckOptions>>().Get("outbox");

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*EventKitHealthCheckOptions.DeadLetterThreshold must be 0 or more; it was -1.*");
    }

    [Fact]
    public void AddEventKit_BlankName_Throws()
    {
        var add = () => new ServiceCollection().AddHealthChecks().AddEventKit(name: " ");

        add.Should().Throw<ArgumentException>().WithParameterName("name");
    }

    private static ServiceProvider Build(Action<IHealthChecksBuilder> health, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddEventKit();
        health(services.AddHealthChecks());
        return services.BuildServiceProvider();
    }
}
