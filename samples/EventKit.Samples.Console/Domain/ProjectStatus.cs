namespace Workspace.Domain;

public enum ProjectStatus
{
    Active,
    Completed,
}
