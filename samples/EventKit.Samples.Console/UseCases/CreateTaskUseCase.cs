using EventKit;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class CreateTaskUseCase(WorkspaceDbContext db, IEventPublisher publisher)
{
    public async Task<ProjectTask> ExecuteAsync(Guid projectId, string title, Guid actorId, CancellationToken cancellationToken = default)
    {
        var task = new ProjectTask
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            Title = title,
            Status = ProjectTaskStatus.Open,
        };
        db.Tasks.Add(task);
        await publisher.PublishAsync(
            new TaskCreated(task.Id, projectId, title),
            new PublishOptions { Actor = actorId.ToString() },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return task;
    }
}
