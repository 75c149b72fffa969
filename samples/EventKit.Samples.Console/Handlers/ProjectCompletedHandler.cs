using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Events;
using Workspace.Services;

namespace Workspace.Handlers;

/// <summary>Congratulates the project's manager by email.</summary>
public sealed class ProjectCompletedHandler(WorkspaceDbContext db, EmailService email) : IEventHandler<ProjectCompleted>
{
    public async Task HandleAsync(EventContext<ProjectCompleted> context, CancellationToken cancellationToken)
    {
        var project = context.Payload;
        var manager = await db.Users.AsNoTracking().SingleAsync(u => u.Id == project.ManagerId, cancellationToken);
        await email.SendAsync(
            context.Id,
            "project-completed",
            manager.Email,
            $"Project \"{project.Name}\" completed",
            $"Congratulations {manager.Name}: \"{project.Name}\" was completed on {project.CompletedAt:yyyy-MM-dd}.",
            cancellationToken);
    }
}
