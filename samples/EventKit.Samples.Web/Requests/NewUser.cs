namespace Workspace.Web.Requests;

public sealed record NewUser(string Email, string Name);
