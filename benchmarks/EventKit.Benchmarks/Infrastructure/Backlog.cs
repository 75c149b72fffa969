using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>Setup helpers that create a backlog of pending events (not measured).</summary>
public static class Backlog
{
    /// <summary>Fills EventKit's store: the database through raw SQL (COPY on PostgreSQL), memory through the publisher.</summary>
    internal static async Task FillAsync(EventKitHost host, BenchDatabase? database, int count)
    {
        if (database is not null)
        {
            await database.Raw.ResetAsync();
            await database.Raw.BulkInsertPendingAsync(count, DateTime.UtcNow.AddSeconds(-1));
            return;
        }

        var scope = host.Services.CreateAsyncScope();
        await using (scope)
        {
            var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
            for (var i = 0; i < count; i++)
            {
                await publisher.PublishAsync(OrderPlaced.Create(i));
            }
        }
    }

    /// <summary>Fills the in-memory baseline's queue.</summary>
    public static void Fill(InMemoryRawOutbox raw, int count)
    {
        raw.Clear();
        for (var i = 0; i < count; i++)
        {
            raw.Publish(OrderPlaced.Create(i));
        }
    }

    /// <summary>Throws unless every event of the backlog completed (so a broken drain fails the benchmark).</summary>
    public static async Task VerifyDrainedAsync(BenchDatabase? database, int expected, HandlerProbe probe, InMemoryRawOutbox? raw = null)
    {
        if (database is not null)
        {
            var completed = await database.Raw.CountAsync(EventStatus.Completed);
            if (completed != expected)
            {
                throw new InvalidOperationException($"Drain ended with {completed} of {expected} events completed.");
            }
        }
        else if (raw is not null)
        {
            if (raw.Count > 0)
            {
                throw new InvalidOperationException($"Drain ended with {raw.Count} events still queued.");
            }
        }
        else if (probe.Count != expected)
        {
            throw new InvalidOperationException($"Drain ran the handler {probe.Count} times for {expected} events.");
        }
    }
}
