using EventKit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;
using Workspace.Services;

namespace Workspace.Handlers;

/// <summary>
/// Runs when a task falls due (the event is delayed until then): if it is still open, notifies the assignee
/// (notification and email) and the project's manager.
/// </summary>
public sealed class TaskOverdueHandler(
    WorkspaceDbContext db,
    NotificationService notifications,
    EmailService email,
    ILogger<TaskOverdueHandler> logger) : IEventHandler<TaskOverdue>
{
    public async Task HandleAsync(EventContext<TaskOverdue> context, CancellationToken cancellationToken)
    {
        // The event was published when the task was assigned; what matters is the task as it is now.
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == context.Payload.TaskId, cancellationToken);
        if (task.Status == ProjectTaskStatus.Done)
        {
            Log.TaskDoneInTime(logger, task.Title);
            return;
        }

        if (task.DueAt != context.Payload.DueAt || task.AssigneeId != context.Payload.AssigneeId)
        {
            // Rescheduled or reassigned: that change published its own task.overdue.
            Log.TaskReminderStale(logger, task.Title);
            return;
        }

        var assignee = await db.Users.AsNoTracking().SingleAsync(u => u.Id == task.AssigneeId, cancellationToken);
        await notifications.CreateAsync(
            context.Id,
            assignee.Id,
            "Task overdue",
            $"The task \"{task.Title}\" is overdue",
            "warning",
            "task",
            task.Id.ToString(),
            cancellationToken);
        await email.SendAsync(
            context.Id,
            "task-overdue",
            assignee.Email,
            "Task overdue",
            $"Hi {assignee.Name}, the task \"{task.Title}\" was due at {task.DueAt:yyyy-MM-dd HH:mm:ss} UTC.",
            cancellationToken);

        await NotifyProjectManagerAsync(context.Id, task, assignee.Name, cancellationToken);
    }

    private async Task NotifyProjectManagerAsync(Guid eventId, ProjectTask task, string assigneeName, CancellationToken cancellationToken)
    {
        var project = await db.Projects.AsNoTracking().SingleAsync(p => p.Id == task.ProjectId, cancellationToken);
        await notifications.CreateAsync(
            eventId,
            project.ManagerId,
            "Task overdue in " + project.Name,
            $"\"{task.Title}\" (assigned to {assigneeName}) is overdue",
            "warning",
            "task",
            task.Id.ToString(),
            cancellationToken);
    }
}
