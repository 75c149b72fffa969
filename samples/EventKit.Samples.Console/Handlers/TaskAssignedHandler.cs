using EventKit;
using Workspace.Events;
using Workspace.Services;

namespace Workspace.Handlers;

/// <summary>Tells the assignee about a new task.</summary>
public sealed class TaskAssignedHandler(NotificationService notifications) : IEventHandler<TaskAssigned>
{
    public Task HandleAsync(EventContext<TaskAssigned> context, CancellationToken cancellationToken) =>
        notifications.CreateAsync(
            context.Id,
            context.Payload.AssigneeId,
            "New task",
            $"You were assigned \"{context.Payload.Title}\", due {context.Payload.DueAt:yyyy-MM-dd HH:mm:ss} UTC",
            entityType: "task",
            entityId: context.EntityId,
            cancellationToken: cancellationToken);
}
