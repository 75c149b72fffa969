namespace Workspace.Domain;

/// <summary>A task of a project (named so it does not clash with <see cref="System.Threading.Tasks.Task"/>).</summary>
public sealed class ProjectTask
{
    public Guid Id { get; set; }

    public Guid ProjectId { get; set; }

    public string Title { get; set; } = "";

    public Guid? AssigneeId { get; set; }

    public DateTimeOffset? DueAt { get; set; }

    public ProjectTaskStatus Status { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
