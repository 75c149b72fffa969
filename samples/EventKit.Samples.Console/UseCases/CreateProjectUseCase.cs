using EventKit;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class CreateProjectUseCase(WorkspaceDbContext db, IEventPublisher publisher)
{
    public async Task<Project> ExecuteAsync(Guid companyId, string name, Guid managerId, CancellationToken cancellationToken = default)
    {
        var project = new Project
        {
            Id = Guid.CreateVersion7(),
            CompanyId = companyId,
            Name = name,
            ManagerId = managerId,
            Status = ProjectStatus.Active,
        };
        db.Projects.Add(project);

        // Actor: who caused the event; it is copied to every handler run in the event log (performed_by).
        await publisher.PublishAsync(
            new ProjectCreated(project.Id, companyId, name, managerId),
            new PublishOptions { Actor = managerId.ToString() },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return project;
    }
}
