using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class AssignTaskUseCase(WorkspaceDbContext db, IEventPublisher publisher)
{
    /// <summary>
    /// Assigns the task and schedules its overdue reminder: <c>task.overdue</c> is published now, as a delayed event
    /// that EventKit will not handle before <paramref name="dueAt"/>. No scheduler or cron job is needed, and the
    /// reminder commits (or rolls back) with the assignment.
    /// </summary>
    public async Task ExecuteAsync(Guid taskId, Guid assigneeId, DateTimeOffset dueAt, Guid actorId, CancellationToken cancellationToken = default)
    {
        var task = await db.Tasks.SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken)
            ?? throw new KeyNotFoundException($"No task with id {taskId}.");
        task.AssigneeId = assigneeId;
        task.DueAt = dueAt;

        var actor = new PublishOptions { Actor = actorId.ToString() };
        await publisher.PublishAsync(new TaskAssigned(task.Id, task.ProjectId, task.Title, assigneeId, dueAt), actor, cancellationToken);
        await publisher.PublishAsync(
            new TaskOverdue(task.Id, task.ProjectId, task.Title, assigneeId, dueAt),
            new PublishOptions { Actor = actor.Actor, AvailableAt = dueAt },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
