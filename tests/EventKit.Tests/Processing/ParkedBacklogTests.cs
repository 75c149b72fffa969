using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using EventKit.Storage;
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
    [Fact]
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
        var held = (await host.Services.GetRequiredService<IEventStore>().GetMetricsAsync()).Processing;
        // Claims pass over the type once BatchSize (2) events are parked; up to a full buffer and one more claim (2 x 2)
        // may have been taken just before, and park too. The rest of the backlog waits in the store.
        held.Should().BeInRange(1 + 2, 1 + (3 * 2), "the processor holds the running event and a bounded number parked, not the whole backlog");

        gauge.Release.SetResult();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 23, "every limited event completes");
    }
}
