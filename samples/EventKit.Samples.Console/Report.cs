using EventKit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Workspace.Data;
using Workspace.Services;

namespace Workspace;

/// <summary>Prints what the handlers wrote, EventKit's metrics and one event's handler log.</summary>
public static class Report
{
    public static async Task PrintAsync(IServiceProvider services, DateTimeOffset since, Guid? deadLetterId, string databasePath)
    {
        Console.WriteLine();
        Console.WriteLine("4. What the handlers wrote, in the same database:");
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<WorkspaceDbContext>();
            var users = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name);

            Console.WriteLine("   emails");
            foreach (var email in await db.Emails.AsNoTracking().OrderBy(e => e.Id).ToListAsync())
            {
                Console.WriteLine($"     {email.Template,-17} {email.To,-18} {email.Subject}");
            }

            Console.WriteLine("   notifications");
            foreach (var n in await db.Notifications.AsNoTracking().OrderBy(n => n.Id).ToListAsync())
            {
                Console.WriteLine($"     {n.Type,-8} {users[n.UserId],-5} {n.Title}: {n.Message}");
            }

            Console.WriteLine("   payment_reports");
            foreach (var r in await db.PaymentReports.AsNoTracking().OrderBy(r => r.Id).ToListAsync())
            {
                Console.WriteLine($"     {r.InvoiceNumber} {r.Kind} {r.Amount:0.00} EUR");
            }

            Console.WriteLine("   plan_extensions");
            foreach (var x in await db.PlanExtensions.AsNoTracking().OrderBy(x => x.Id).ToListAsync())
            {
                Console.WriteLine($"     +{x.Months} month: {x.PreviousExpiry:yyyy-MM-dd} -> {x.NewExpiry:yyyy-MM-dd}");
            }
        }

        Console.WriteLine();
        Console.WriteLine("5. Metrics (IEventOperations):");
        await PrintMetricsAsync(services, since, Console.Out);

        // The event whose email the gateway refused: its log shows the failed attempt and the retry.
        var operations = services.GetRequiredService<IEventOperations>();
        var gateway = services.GetRequiredService<FlakyEmailGateway>();
        foreach (var refused in gateway.Refused.Take(1))
        {
            Console.WriteLine();
            Console.WriteLine("6. Event log (IEventOperations.GetEventAsync) of the event whose email the gateway refused:");
            PrintLog(await operations.GetEventAsync(refused.EventId));
        }

        // And the dead letter's: failure, requeue, success.
        if (deadLetterId is { } id)
        {
            Console.WriteLine();
            Console.WriteLine("7. Event log of the dead letter, requeued:");
            PrintLog(await operations.GetEventAsync(id));
        }

        Console.WriteLine();
        Console.WriteLine($"Done. Look around: sqlite3 {databasePath} \"select type, status, attempts from events\"");
    }

    public static async Task PrintMetricsAsync(IServiceProvider services, DateTimeOffset since, TextWriter output)
    {
        var operations = services.GetRequiredService<IEventOperations>();
        var metrics = await operations.GetMetricsAsync();
        output.WriteLine($"   pending={metrics.Pending} processing={metrics.Processing} completed={metrics.Completed} failed={metrics.Failed} dead_letter={metrics.DeadLetters}");

        // Measured from publish to completion, so the delayed task.overdue events (due two seconds after they were
        // published) pull the average up.
        output.WriteLine($"   average processing time: {metrics.AverageProcessingTime?.TotalMilliseconds:0} ms");
        output.WriteLine("   events by type since the start of the run:");
        foreach (var count in await operations.GetCountsByTypeAsync(since.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1)))
        {
            output.WriteLine($"     {count.Type,-18} {count.Count}");
        }
    }

    private static void PrintLog(EventDetails? details)
    {
        if (details is null)
        {
            Console.WriteLine("   (not found)");
            return;
        }

        var e = details.Event;
        Console.WriteLine($"   {e.Type} {e.Id} about {e.Entity} {e.EntityId}");
        Console.WriteLine($"   status={e.Status.ToString().ToLowerInvariant()} attempts={e.Attempts} created={e.CreatedAt:HH:mm:ss.fff} processed={e.ProcessedAt:HH:mm:ss.fff} actor={e.Actor ?? "-"}");
        Console.WriteLine($"   payload={e.Payload}");
        foreach (var entry in details.Log)
        {
            if (entry.Kind != EventLogKind.HandlerRun)
            {
                // An operator's action (requeue, replay, cancel): who and why, after the event's attempt it followed.
                Console.WriteLine($"   {entry.CreatedAt:HH:mm:ss.fff} {entry.Kind.ToString().ToLowerInvariant()} by {entry.Actor} after attempt {entry.Attempt}: {entry.Reason}");
                continue;
            }

            var error = entry.Error is null ? "" : ": " + entry.Error.Split('\n')[0].TrimEnd();
            Console.WriteLine($"   {entry.CreatedAt:HH:mm:ss.fff} attempt {entry.Attempt} {entry.Handler} {entry.Result.ToString().ToLowerInvariant()} in {entry.Duration.TotalMilliseconds:0} ms{error}");
        }
    }
}
