namespace Workspace.Web.Requests;

public sealed record NewProject(string Name, Guid ManagerId);
