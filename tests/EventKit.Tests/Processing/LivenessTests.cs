using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// The health check's "processor alive" comes from pipeline progress and from the idle wait ticking: a long handler
/// run or a long polling interval is alive; a claim loop that is stuck is not. The probe reads only cheap counts.
/// </summary>
public sealed class LivenessTests
{
    private static readonly HealthCheckContext Context = new()
    {
        Registration = new HealthCheckRegistration("eventkit", _ => null!, HealthStatus.Unhealthy, null),
    };

    [Fact]
    public async Task LongHandlerRun_AndAnHourlyPoll_ReadAsAlive()
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
                o.PollingInterval = TimeSpan.FromHours(1);
            },
            b =>
            {
                b.AddHandler<StepHandler>();
                b.Services.AddHealthChecks().AddEventKit(h => h.MaxBacklogAge = TimeSpan.FromDays(1));
            });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("long", _ => release.Task);
        await host.PublishStepAsync("long");
        host.Start();
        await host.WaitUntilAsync(() => host.Script.RunsOf("long") == 1, "the long run starts");

        // Ten minutes of one handler run, five times MaxProcessorSilence (2 min).
        await host.AdvanceUntilAsync(TimeSpan.FromSeconds(20), () => host.Time.GetUtcNow() >= TestApp.Start.AddMinutes(10), "ten minutes pass");
        await host.WaitUntilAsync(() => host.Services.GetRequiredService<Internal.ProcessorHeartbeat>().LastCycleAt == host.Time.GetUtcNow(), "the idle wait ticks at the current time");

        var result = await host.Services.GetRequiredKeyedService<EventKitHealthCheck>("eventkit").CheckHealthAsync(Context);

        result.Status.Should().Be(HealthStatus.Healthy, result.Description);
        host.Store.MetricsReads.Should().Be(0, "the probe reads index-supported counts, never the metrics query");
        release.SetResult();
    }

    [Fact]
    public async Task ClaimLoopStuckInTheStore_ReadsAsNotProcessing()
    {
        await using var host = PipelineHost.Create(handlers: b =>
        {
            b.AddHandler<StepHandler>();
            b.Services.AddHealthChecks().AddEventKit();
        });
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Store.BeforeClaim = () =>
        {
            entered.TrySetResult();
            return hang.Task;
        };
        host.Start();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        host.Time.Advance(TimeSpan.FromMinutes(3));
        var result = await host.Services.GetRequiredKeyedService<EventKitHealthCheck>("eventkit").CheckHealthAsync(Context);

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("MaxProcessorSilence");
        hang.SetResult();
    }
}
