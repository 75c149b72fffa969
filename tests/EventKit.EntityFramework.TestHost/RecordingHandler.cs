using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.TestHost;

/// <summary>
/// Records each run in <c>handled</c> with an upsert on its own scoped context, committed at once (not with the
/// event's completion), exactly like a real side effect: a run whose outcome is lost shows up as runs = 2.
/// </summary>
public sealed class RecordingHandler(TestHostDbContext db, TestHostInstance instance) : IEventHandler<WorkItem>
{
    public async Task HandleAsync(EventContext<WorkItem> context, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO handled (event_id, handler, runs, instance) VALUES ({context.Id}, {nameof(RecordingHandler)}, 1, {instance.Name})
            ON CONFLICT (event_id, handler) DO UPDATE SET runs = handled.runs + 1
            """,
            cancellationToken);

        if (instance.CountRun())
        {
            // The crash test kills this process now: the rest of the batch is handled, none of it settled.
            instance.Paused.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }
}
