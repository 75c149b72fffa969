using System.Text.Json;
using FluentAssertions;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>Puts events into a store through its public contract: append, claim, settle, as a processor would.</summary>
public sealed class EventSeeder(IEventStore store, TimeProvider time)
{
    private static int _sequence;

    /// <summary>A new event created <paramref name="age"/> (default 5 minutes) before the host's fake now; each a tick older than the one before.</summary>
    public EventRecord NewEvent(string type = "order.placed", object? payload = null, string entity = "order", string? entityId = null, TimeSpan? age = null)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var created = time.GetUtcNow() - (age ?? TimeSpan.FromMinutes(5)) - TimeSpan.FromTicks(sequence);
        return new EventRecord
        {
            Id = Guid.CreateVersion7(created),
            Type = type,
            Entity = entity,
            EntityId = entityId ?? (sequence % 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            Payload = payload as string ?? JsonSerializer.Serialize(payload ?? new { Total = 12.5m }),
            AvailableAt = created,
            CreatedAt = created,
        };
    }

    public async Task<Guid> PendingAsync(EventRecord record) => await store.AppendAsync(record);

    /// <summary>Appends the events, then claims them and settles each with <paramref name="status"/> and one log entry.</summary>
    public async Task<IReadOnlyList<Guid>> SettledAsync(EventStatus status, IReadOnlyList<EventRecord> records, string? error = null, string handler = "OrderHandler")
    {
        foreach (var record in records)
        {
            await store.AppendAsync(record);
        }

        var now = time.GetUtcNow();
        var claimed = await store.ClaimAsync("seeder", records.Count, int.MaxValue, now, TimeSpan.FromMinutes(5));
        var mine = records.Select(r => r.Id).ToHashSet();
        claimed.Select(c => c.Event.Id).Should().BeEquivalentTo(mine, "the seeder claims only what it appended (no other runnable events)");
        var outcomes = claimed.Select(c => new EventOutcome
        {
            EventId = c.Event.Id,
            Status = status,
            ProcessedAt = status is EventStatus.Completed or EventStatus.DeadLetter ? now : null,
            AvailableAt = status is EventStatus.Failed ? now.AddMinutes(5) : null,
            Error = status is EventStatus.Completed ? null : error ?? "System.InvalidOperationException: boom",
            Logs =
            [
                new EventLogEntry
                {
                    Id = Guid.CreateVersion7(now),
                    EventId = c.Event.Id,
                    Handler = handler,
                    Result = status is EventStatus.Completed ? EventLogResult.Success : EventLogResult.Failure,
                    Error = status is EventStatus.Completed ? null : error ?? "System.InvalidOperationException: boom",
                    Attempt = c.Event.Attempts,
                    Duration = TimeSpan.FromMilliseconds(12),
                    CreatedAt = now,
                },
            ],
        }).ToList();
        await store.SettleAsync(outcomes, "seeder");
        return records.Select(r => r.Id).ToList();
    }

    public async Task<Guid> DeadLetterAsync(EventRecord record, string? error = null) =>
        (await SettledAsync(EventStatus.DeadLetter, [record], error))[0];

    public async Task<Guid> CompletedAsync(EventRecord record) => (await SettledAsync(EventStatus.Completed, [record]))[0];
}
