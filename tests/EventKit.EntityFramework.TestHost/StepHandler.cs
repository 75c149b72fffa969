using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.TestHost;

/// <summary>
/// Records each run of a <see cref="WorkStep"/> in <c>step_runs</c>, committed at once like a real side effect: its
/// start, then its finish, each a position taken from the sequence <c>step_order</c>. The first attempt of step
/// <see cref="TestHostInstance.FailStep"/> fails for every tenth work item (after recording its start).
/// </summary>
public sealed class StepHandler(TestHostDbContext db, TestHostInstance instance) : IEventHandler<WorkStep>
{
    public async Task HandleAsync(EventContext<WorkStep> context, CancellationToken cancellationToken)
    {
        var step = context.Payload;
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"""
            INSERT INTO step_runs (event_id, item, seq, runs, started, instance) VALUES ({context.Id}, {step.Item}, {step.Seq}, 1, nextval('step_order'), {instance.Name})
            ON CONFLICT (event_id) DO UPDATE SET runs = step_runs.runs + 1, started = excluded.started, instance = excluded.instance
            """,
            cancellationToken);
        if (step.Seq == instance.FailStep && step.Item % 10 == 0 && context.Attempt == 1)
        {
            throw new InvalidOperationException($"Step {step.Seq} of item {step.Item} fails its first attempt on purpose.");
        }

        await db.Database.ExecuteSqlInterpolatedAsync($"UPDATE step_runs SET finished = nextval('step_order') WHERE event_id = {context.Id}", cancellationToken);
    }
}
