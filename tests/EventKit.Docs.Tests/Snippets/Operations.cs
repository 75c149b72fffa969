namespace EventKit.Docs.Tests;

// README "Metrics and operations". RetriesAndOperationsTests runs it against a harness with a dead letter.
public static class OperationsSnippets
{
    public static async Task<(EventMetrics Metrics, IReadOnlyList<EventTypeCount> ByType, IReadOnlyList<EventRecord> Dead, EventDetails? Details)> InspectAsync(
        IEventOperations operations, DateTimeOffset since, DateTimeOffset until, Guid id)
    {
        // <readme:operations>
        var metrics = await operations.GetMetricsAsync();                 // counts per status, average processedAt − createdAt
        var byType = await operations.GetCountsByTypeAsync(since, until); // counts per type between two dates
        var dead = await operations.GetDeadLettersAsync("invoice.paid");  // with LastError
        await operations.RequeueAsync(dead[0].Id, "ana@ops", "SMTP fixed"); // or RequeueMatchingAsync(new EventFilter { Type = "invoice.paid" }, …)
        var details = await operations.GetEventAsync(id);                 // the event and its handler log
        // </readme:operations>
        return (metrics, byType, dead, details);
    }
}
