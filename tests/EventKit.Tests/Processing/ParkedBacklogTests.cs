using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static EventKit.Tests.Processing.HandlerOptionsTests;

namespace EventKit.Tests.Processing;

/// <summary>
/// README "Handler options": "An event that would exceed [a handler's MaxConcurrency] is parked without holding a
/// worker, and resumes (with the handlers it already ran kept) when a run ends; other events go on meanwhile"; "Every
/// event stands alone": a slow or hanging event delays only itself.
/// </summary>
public sealed class ParkedBacklogTests
{
    [Fact(Skip = "Defect: parked events count against the processor's outstanding-lease cap (3 x BatchSize + MaxConcurrency) and its claim payload budget, so a backlog of one limited handler's events larger than that cap stops every claim while the limited runs last, and no other event is claimed. A fix needs a claim that skips the types of saturated handlers, or a bound on parked events that does not churn claims: not local.")]
    public async Task BacklogOfALimitedHandler_LargerThanTheProcessorHolds_DoesNotStopOtherEvents()
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.BatchSize = 2;
                o.MaxConcurrency = 2;
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
            },
            b => b.AddHandler<StepHandler>().AddHandler<LimitedHandler>(o => o.MaxConcurrency = 1),
            s => s.AddSingleton<Gauge>());
        var gauge = host.Services.GetRequiredService<Gauge>();

        // More limited events than the processor holds at once (3 x BatchSize + MaxConcurrency = 8), then others.
        for (var i = 0; i < 20; i++)
        {
            await host.PublishAsync(new RateLimited($"r{i}"));
        }

        for (var i = 0; i < 3; i++)
        {
            await host.PublishStepAsync($"other{i}");
        }

        host.Start();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 3, "the other events complete while the one limited run hangs");
        gauge.Running.Should().Be(1);

        gauge.Release.SetResult();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 23, "every limited event completes");
    }
}
