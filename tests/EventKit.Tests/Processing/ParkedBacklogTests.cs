using System.Collections.Concurrent;
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EventsParkedAfterAnEarlierHandlerRan_AreReleasedAtStop_KeepingThatRun(bool hostWaitsNoLonger)
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.MaxConcurrency = 2;
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
                o.ShutdownTimeout = hostWaitsNoLonger ? TimeSpan.FromHours(1) : TimeSpan.Zero;
            },
            b => b.AddHandler<FirstHandler>().AddHandler<LimitedHandler>(o => o.MaxConcurrency = 1),
            s => s.AddSingleton<Gauge>().AddSingleton<FirstRuns>());
        var gauge = host.Services.GetRequiredService<Gauge>();
        var firstRuns = host.Services.GetRequiredService<FirstRuns>();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await host.PublishAsync(new RateLimited($"r{i}")));
        }

        host.Start();
        await host.WaitUntilAsync(() => gauge.Running == 1 && firstRuns.Ids.Count == 3, "every event ran its first handler; one holds the limited slot, two are parked");
        await host.StopAsync(hostWaitsNoLonger);

        foreach (var id in ids)
        {
            var details = await host.GetAsync(id);
            details.Event.Status.Should().Be(EventStatus.Pending, "a stop releases running and parked events alike");
            (details.Event.Attempts - details.Event.UncountedAttempts).Should().Be(0, "a stop costs no attempt");
            details.Log.Should().ContainSingle(l => l.Handler == nameof(FirstHandler) && l.Result == EventLogResult.Success, "the run before the limit is recorded");
        }

        var claimed = await host.Store.ClaimAsync("next", 10, int.MaxValue, host.Time.GetUtcNow(), TimeSpan.FromMinutes(1));
        claimed.Select(c => c.Event.Id).Should().BeEquivalentTo(ids);
        claimed.Should().OnlyContain(c => c.SucceededHandlers.Contains(nameof(FirstHandler)), "the next attempt does not run the first handler again");
    }

    public sealed class FirstRuns
    {
        public ConcurrentBag<Guid> Ids { get; } = [];
    }

    public sealed class FirstHandler(FirstRuns runs) : IEventHandler<RateLimited>
    {
        public Task HandleAsync(EventContext<RateLimited> context, CancellationToken cancellationToken)
        {
            runs.Ids.Add(context.Id);
            return Task.CompletedTask;
        }
    }
}
