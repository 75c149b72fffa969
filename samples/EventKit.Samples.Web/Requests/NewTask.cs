namespace Workspace.Web.Requests;

public sealed record NewTask(string Title, Guid ActorId);
