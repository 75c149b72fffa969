namespace Workspace.Domain;

public enum ProjectTaskStatus
{
    Open,
    Done,
}
