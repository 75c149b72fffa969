namespace Workspace.Domain;

public sealed class Project
{
    public Guid Id { get; set; }

    public Guid CompanyId { get; set; }

    public string Name { get; set; } = "";

    public Guid ManagerId { get; set; }

    public ProjectStatus Status { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
