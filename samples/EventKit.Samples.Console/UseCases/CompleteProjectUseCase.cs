using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class CompleteProjectUseCase(WorkspaceDbContext db, IEventPublisher publisher, TimeProvider time)
{
    public async Task ExecuteAsync(Guid projectId, Guid actorId, CancellationToken cancellationToken = default)
    {
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Id == projectId, cancellationToken)
            ?? throw new KeyNotFoundException($"No project with id {projectId}.");
        if (project.Status == ProjectStatus.Completed)
        {
            return; // nothing changed, so nothing to publish
        }

        project.Status = ProjectStatus.Completed;
        project.CompletedAt = time.GetUtcNow();
        await publisher.PublishAsync(
            new ProjectCompleted(project.Id, project.Name, project.ManagerId, project.CompletedAt.Value),
            new PublishOptions { Actor = actorId.ToString() },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
