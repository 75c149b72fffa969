namespace Workspace.Domain;

/// <summary>An in-app notification (the <c>notifications</c> table). Unique per (event, user).</summary>
public sealed class Notification
{
    public long Id { get; set; }

    /// <summary>The event whose handler created it.</summary>
    public Guid EventId { get; set; }

    public Guid UserId { get; set; }

    public string Title { get; set; } = "";

    public string Message { get; set; } = "";

    /// <summary><c>info</c> or <c>warning</c>, as in the original design.</summary>
    public string Type { get; set; } = "";

    public string? EntityType { get; set; }

    public string? EntityId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
