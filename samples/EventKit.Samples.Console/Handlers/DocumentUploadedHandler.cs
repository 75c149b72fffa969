using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Events;
using Workspace.Services;

namespace Workspace.Handlers;

/// <summary>Tells the project's manager that a document was uploaded.</summary>
public sealed class DocumentUploadedHandler(WorkspaceDbContext db, NotificationService notifications) : IEventHandler<DocumentUploaded>
{
    public async Task HandleAsync(EventContext<DocumentUploaded> context, CancellationToken cancellationToken)
    {
        var document = context.Payload;
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == document.ProjectId, cancellationToken);
        if (project.ManagerId == document.UploadedById)
        {
            return; // managers know what they uploaded themselves
        }

        await notifications.CreateAsync(
            context.Id,
            project.ManagerId,
            "New document in " + project.Name,
            $"{document.FileName} ({document.SizeBytes / 1024} KB) was uploaded",
            entityType: "document",
            entityId: context.EntityId,
            cancellationToken: cancellationToken);
    }
}
