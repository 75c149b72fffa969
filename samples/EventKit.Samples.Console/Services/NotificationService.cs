using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workspace.Data;
using Workspace.Domain;

namespace Workspace.Services;

/// <summary>Creates in-app notifications (the <c>notifications</c> table).</summary>
public sealed class NotificationService(WorkspaceDbContext db, TimeProvider time, ILogger<NotificationService> logger)
{
    /// <summary>Notifies <paramref name="userId"/> once per event: a second call for the same event does nothing.</summary>
    public async Task CreateAsync(
        Guid eventId,
        Guid userId,
        string title,
        string message,
        string type = "info",
        string? entityType = null,
        string? entityId = null,
        CancellationToken cancellationToken = default)
    {
        if (await db.Notifications.AnyAsync(n => n.EventId == eventId && n.UserId == userId, cancellationToken))
        {
            return;
        }

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        db.Notifications.Add(new Notification
        {
            EventId = eventId,
            UserId = userId,
            Title = title,
            Message = message,
            Type = type,
            EntityType = entityType,
            EntityId = entityId,
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        Log.NotificationCreated(logger, user.Name, title, message);
    }
}
