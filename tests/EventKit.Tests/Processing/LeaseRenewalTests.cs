using FluentAssertions;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// One renewal timer per processor: it ticks while the processor holds leases, stops (no store calls) while it holds
/// none, and starts again with the next claim, renewing every lease before it expires.
/// </summary>
public sealed class LeaseRenewalTests
{
    [Fact]
    public async Task Renewals_RunWhileLeasesAreHeld_AndStopWhileNoneAre()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.LeaseDuration = TimeSpan.FromSeconds(30);
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
        }).Start();

        // The first event runs for two renewal periods.
        await RunHeldAsync(host, "first", periods: 2);
        host.Store.Renewals.Should().Be(2);

        // Nothing is held: the timer ticks once more, finds nothing and stops, however long the processor idles.
        host.Time.Advance(TimeSpan.FromSeconds(10));
        host.Time.Advance(TimeSpan.FromMinutes(5));
        host.Store.Renewals.Should().Be(2);

        // The next event, claimed long after, is renewed as well, before its lease runs out.
        await RunHeldAsync(host, "second", periods: 3);
        host.Store.Renewals.Should().Be(5);
    }

    private static async Task RunHeldAsync(PipelineHost host, string name, int periods)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On(name, _ => release.Task);
        var id = await host.PublishStepAsync(name);
        await host.WaitUntilAsync(() => host.Script.RunsOf(name) == 1, $"{name} runs");
        for (var i = 0; i < periods; i++)
        {
            host.Store.Renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            host.Time.Advance(TimeSpan.FromSeconds(10));
            await host.Store.Renewed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            (await host.GetAsync(id)).Event.LockedUntil.Should().Be(host.Time.GetUtcNow().AddSeconds(30), "the lease is renewed before it runs out");
        }

        release.SetResult();
        await host.WaitUntilAsync(() => host.Recorded.Any(r => r.Event.Id == id), $"{name} is recorded");
    }
}
