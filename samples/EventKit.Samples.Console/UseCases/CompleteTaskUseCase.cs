using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class CompleteTaskUseCase(WorkspaceDbContext db, IEventPublisher publisher, TimeProvider time)
{
    public async Task ExecuteAsync(Guid taskId, Guid actorId, CancellationToken cancellationToken = default)
    {
        var task = await db.Tasks.SingleOrDefaultAsync(t => t.Id == taskId, cancellationToken)
            ?? throw new KeyNotFoundException($"No task with id {taskId}.");
        if (task.Status == ProjectTaskStatus.Done)
        {
            return;
        }

        task.Status = ProjectTaskStatus.Done;
        task.CompletedAt = time.GetUtcNow();
        await publisher.PublishAsync(
            new TaskCompleted(task.Id, task.ProjectId, task.Title),
            new PublishOptions { Actor = actorId.ToString() },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
