using EventKit.ContractTests;
using EventKit.Internal.Processing;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// The processor's side of the in-process hand-off (#13 item 3): how much room a reservation gets, what it leaves for
/// claims, what gives it back, and when nothing is handed off at all. The EF store's side (writing leased rows, commit
/// and rollback) is tested in EventKit.EntityFramework.Tests' HandOffTests.
/// </summary>
public sealed class HandOffReservationTests
{
    [Fact]
    public async Task Reservation_TakesAtMostBatchSize_AndHoldsItsPlacesUntilCancelled()
    {
        await using var host = await StartedAsync(o => o.BatchSize = 4);
        var handOff = host.Services.GetRequiredService<EventHandOff>();

        var records = Records(10);
        var first = handOff.TryReserve(records);
        first!.Leased.Should().Equal(records.Take(4), "a hand-off takes at most half the buffer (BatchSize places), the first events in order");
        first.Owner.Should().Be(host.Processor.Owner);
        first.LeaseUntil.Should().Be(TestApp.Start + host.Processor.Options.LeaseDuration);
        handOff.TryReserve(Records(1)).Should().BeNull("the places are reserved until the unit of work ends");

        first.Cancel();
        first.Cancel();
        handOff.IsAccepting.Should().BeFalse("the refused event went to the store pending: no hand-off may overtake it before a claim took it");
        await CatchUpAsync(host);
        handOff.TryReserve(Records(10))!.Leased.Should().HaveCount(4, "a rollback gives the places back, once");
    }

    [Fact]
    public async Task Reservation_StaysWithinThePayloadBudget_ButAlwaysTakesOneEvent()
    {
        await using var host = await StartedAsync(o => o.MaxClaimPayloadSize = 1_024);
        var handOff = host.Services.GetRequiredService<EventHandOff>();

        var reservation = handOff.TryReserve(Records(10, payloadBytes: 300));
        reservation!.Leased.Should().HaveCount(3, "3 × 300 bytes fit a budget of 1,024, a fourth does not");
        reservation.Cancel();
        await CatchUpAsync(host);

        handOff.TryReserve(Records(2, payloadBytes: 5_000))!.Leased.Should().ContainSingle("one event larger than the budget is taken when nothing else is held");
    }

    [Fact]
    public async Task DelayedAndKeyedEvents_AreNeverReserved_AndStopHandOffsUntilAClaimCaughtUp()
    {
        await using var host = await StartedAsync();
        var handOff = host.Services.GetRequiredService<EventHandOff>();
        var records = Records(3);
        records[0] = Copy(records[0], availableAt: TestApp.Start.AddMinutes(5));
        records[1] = Copy(records[1], key: "order-1");

        var reservation = handOff.TryReserve(records);
        reservation!.Leased.Should().Equal(records[2]);
        handOff.IsAccepting.Should().BeFalse("a keyed event due now goes to the store pending: a later event must not overtake it");
        handOff.TryReserve(Records(1)).Should().BeNull();
    }

    [Fact]
    public async Task StoppingOrNotRunning_TakesNoHandOff()
    {
        var idle = PipelineHost.Create();
        await using (idle)
        {
            idle.Services.GetRequiredService<EventHandOff>().TryReserve(Records(1)).Should().BeNull("no processor runs");
        }

        await using var host = await StartedAsync();
        await host.StopAsync();
        host.Services.GetRequiredService<EventHandOff>().TryReserve(Records(1)).Should().BeNull("the processor stopped");
    }

    private static async Task<PipelineHost> StartedAsync(Action<EventKitOptions>? configure = null)
    {
        var host = PipelineHost.Create(configure).Start();
        await host.WaitUntilAsync(() => host.Services.GetRequiredService<EventHandOff>().IsAccepting, "the processor is caught up");
        return host;
    }

    /// <summary>Wakes the claim loop as the commit of a pending event would, and waits until its claim caught up.</summary>
    private static async Task CatchUpAsync(PipelineHost host)
    {
        host.Processor.Signal.Notify(host.Time.GetUtcNow());
        await host.WaitUntilAsync(() => host.Services.GetRequiredService<EventHandOff>().IsAccepting, "a claim caught up");
    }

    private static EventRecord[] Records(int count, int payloadBytes = 20) =>
        [.. Enumerable.Range(0, count).Select(_ => new EventRecord
        {
            Id = Guid.CreateVersion7(),
            Type = "step",
            Entity = "step",
            EntityId = "1",
            Payload = "{\"v\":\"" + new string('x', payloadBytes - 8) + "\"}",
            AvailableAt = TestApp.Start,
            CreatedAt = TestApp.Start,
        })];

    private static EventRecord Copy(EventRecord record, DateTimeOffset? availableAt = null, string? key = null) => new()
    {
        Id = record.Id,
        Type = record.Type,
        Entity = record.Entity,
        EntityId = record.EntityId,
        Payload = record.Payload,
        AvailableAt = availableAt ?? record.AvailableAt,
        CreatedAt = record.CreatedAt,
        IdempotencyKey = key,
    };
}
