using EventKit.Testing;

namespace EventKit.Docs.Tests;

// README "Operating EventKit". OperatingTests runs each against a harness.
public static class OperatingSnippets
{
    public static async Task<List<EventRecord>> QueryAsync(IEventOperations operations, DateTimeOffset since, DateTimeOffset before)
    {
        var all = new List<EventRecord>();
        // <readme:operating-queries>
        // Dead letters of one type, newest first, a page at a time (keyset paging: pass the token back).
        var filter = new EventFilter { Type = "invoice.paid", Status = EventStatus.DeadLetter };
        string? token = null;
        do
        {
            var page = await operations.GetEventsAsync(filter, EventOrder.NewestFirst, pageSize: 100, token);
            all.AddRange(page.Events);
            token = page.ContinuationToken;
        }
        while (token is not null);

        var timeline = await operations.GetTimelineAsync(since, before, EventTimelineInterval.Hour); // created, completed, failed, dead-lettered, cancelled
        var types = await operations.GetTypeStatisticsAsync(since, before);       // count, average and p95 processing time, failure rate
        var handlers = await operations.GetHandlerStatisticsAsync(since, before); // runs, failures, average duration
        var waiting = await operations.GetOldestPendingAgeAsync();               // null when nothing waits
        var processors = await operations.GetProcessorsAsync();                  // id, host, started, last seen, in flight
        // </readme:operating-queries>
        _ = (timeline, types, handlers, waiting, processors);
        return all;
    }

    public static async Task ActAsync(IEventOperations operations, Guid failedId, Guid completedId, Guid delayedId)
    {
        // <readme:operating-actions>
        await operations.RequeueAsync(failedId, "ana@ops", "SMTP credentials rotated");
        await operations.RequeueMatchingAsync(new EventFilter { Type = "invoice.paid", Status = EventStatus.DeadLetter }, "ana@ops", "invoice 1042 restored");
        await operations.ReplayAsync(completedId, "InvoicePaidHandler", "ana@ops", "receipt template fixed"); // null: every handler
        await operations.CancelAsync(delayedId, "ana@ops", "customer withdrew");
        await operations.PauseAsync("invoice.paid", "ana@ops", "billing provider down"); // every instance; events stay pending
        await operations.ResumeAsync("invoice.paid", "ana@ops");
        await operations.PurgeAsync(new EventFilter { Type = "test.event" }, "ana@ops", "load-test data");
        // </readme:operating-actions>
    }

    public static async Task<RetentionResult> RetentionAsync(EventKitHarness harness)
    {
        // <readme:operating-retention>
        harness.AdvanceTime(TimeSpan.FromDays(31));           // past EventKitOptions.Retention (30 days by default)
        var deleted = await harness.RunRetentionAsync();      // or IEventOperations.RunRetentionAsync() in the application
        // </readme:operating-retention>
        return deleted;
    }
}
