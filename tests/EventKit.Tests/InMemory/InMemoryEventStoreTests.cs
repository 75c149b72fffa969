using System.Runtime.CompilerServices;
using EventKit.InMemory;
using FluentAssertions;
using Xunit;

namespace EventKit.Tests.InMemory;

public sealed class InMemoryEventStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    // With the default DeadLetterRetention (keep forever) retention never reads the dead-letter queue, so an event
    // that leaves it (purged, or requeued and later removed) must not stay referenced there: the store would keep
    // every purged dead letter's payload and log for the life of the process.
    [Fact]
    public async Task PurgedDeadLetters_AreNotKeptInMemory_WhenDeadLettersAreKeptForever()
    {
        var store = new InMemoryEventStore();
        var first = await DeadLettersAsync(store, 200);

        (await store.PurgeAsync(new EventFilter { Status = EventStatus.DeadLetter }, new EventPosition(Start.AddDays(1), Guid.Empty), 1000)).Should().Be(200);

        // The claims' lease queue lets go of settled events once their leases are long past.
        (await store.ClaimAsync("p", 10, int.MaxValue, Start + (3 * Lease), Lease)).Should().BeEmpty();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        first.IsAlive.Should().BeFalse("a purged dead letter's payload is not referenced by the store any more");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> DeadLettersAsync(InMemoryEventStore store, int count)
    {
        WeakReference? first = null;
        for (var i = 0; i < count; i++)
        {
            var payload = "\"" + new string('x', 1000) + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"";
            first ??= new WeakReference(payload);
            await store.AppendAsync(new EventRecord
            {
                Id = Guid.CreateVersion7(Start),
                Type = "test.event",
                Entity = "test",
                EntityId = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Payload = payload,
                AvailableAt = Start,
                CreatedAt = Start,
            });
        }

        var claimed = await store.ClaimAsync("p", count, int.MaxValue, Start, Lease);
        claimed.Should().HaveCount(count);
        await store.SettleAsync([.. claimed.Select(c => new EventOutcome { EventId = c.Event.Id, Status = EventStatus.DeadLetter, ProcessedAt = Start, Error = "boom" })], "p");
        return first!;
    }
}
