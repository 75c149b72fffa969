using EventKit.ContractTests;
using EventKit.InMemory;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit;

namespace EventKit.Tests;

/// <summary>
/// One renewal timer per processor: armed while a batch runs, idle (no store calls) between batches, and armed
/// again for the next batch, whose lease it renews before it expires.
/// </summary>
public sealed class LeaseRenewalTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Renewals_FollowBatches_AndStopBetweenThem()
    {
        ObservedStore? store = null;
        await using var app = TestApp.Create(
            b => b.Services.Replace(ServiceDescriptor.Singleton<IEventStore>(_ => store = new ObservedStore(new InMemoryEventStore()))),
            o =>
            {
                o.LeaseDuration = TimeSpan.FromSeconds(30);
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
            });

        // Batch 1: its handler runs for two renewal periods.
        var first = await RunBlockedBatchAsync(app, () => store!, periods: 2);
        store!.Renewals.Should().Be(2);

        // Between batches the timer ticks once more, finds nothing and stops: no renewal, however long the wait.
        app.Time.Advance(TimeSpan.FromSeconds(10));
        app.Time.Advance(TimeSpan.FromMinutes(5));
        store.Renewals.Should().Be(2);

        // Batch 2, claimed long after: its lease is renewed as well, before it expires.
        var second = await RunBlockedBatchAsync(app, () => store, periods: 3);
        store.Renewals.Should().Be(5);
        (await app.GetAsync(first)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(second)).Status.Should().Be(EventStatus.Completed);
    }

    private static async Task<Guid> RunBlockedBatchAsync(TestApp app, Func<ObservedStore> store, int periods)
    {
        app.Probe.Gate = new TaskCompletionSource();
        app.Probe.Started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        var run = app.DrainAsync();
        await app.Probe.Started.Task.WaitAsync(Wait);
        for (var i = 0; i < periods; i++)
        {
            store().Renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            app.Time.Advance(TimeSpan.FromSeconds(10));
            await store().Renewed.Task.WaitAsync(Wait);
            (await app.GetAsync(id)).LockedUntil.Should().Be(app.Time.GetUtcNow().AddSeconds(30), "the lease is renewed before it runs out");
        }

        app.Probe.Gate.SetResult();
        await run.WaitAsync(Wait);
        return id;
    }
}
