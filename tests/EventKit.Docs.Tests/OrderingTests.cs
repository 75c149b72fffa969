using EventKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Docs.Tests.Ordering;

/// <summary>README "Ordering per entity", run on the harness: a failed event holds back the later one of its invoice, not another invoice's.</summary>
public sealed class OrderingTests
{
    [Fact]
    public async Task FailedEvent_HoldsBackTheLaterEventsOfItsEntity_UntilItsRetrySucceeds()
    {
        var runs = new List<(int Invoice, decimal Total)>();
        await using var harness = EventKitHarness.Create(b => b.AddHandler<PaidHandler>(), o => o.RetryBaseDelay = TimeSpan.FromMinutes(1), s => s.AddSingleton(runs));
        var first = await harness.PublishAsync(new InvoicePaid(7, 10m));
        var second = await harness.PublishAsync(new InvoicePaid(7, 20m));
        await harness.PublishAsync(new InvoicePaid(8, 30m));

        await harness.DrainAsync();
        Assert.Equal(EventStatus.Failed, await harness.GetStatusAsync(first));
        Assert.Equal(EventOrdering.PerEntity, (await harness.GetEventAsync(second)).Event.Ordering);
        Assert.Equal(EventStatus.Pending, await harness.GetStatusAsync(second));

        await harness.DrainUntilIdleAsync();
        Assert.Equal([(7, 10m), (8, 30m), (7, 10m), (7, 20m)], runs);
        await harness.EnsureAllCompletedAsync();
    }

    private sealed class PaidHandler(List<(int, decimal)> runs) : IEventHandler<InvoicePaid>
    {
        public Task HandleAsync(EventContext<InvoicePaid> context, CancellationToken cancellationToken)
        {
            lock (runs)
            {
                runs.Add((context.Payload.InvoiceId, context.Payload.Total));
            }

            return context.Attempt == 1 && context.Payload.Total == 10m ? throw new InvalidOperationException("first attempt fails") : Task.CompletedTask;
        }
    }
}
