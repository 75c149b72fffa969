namespace Workspace.Web.Requests;

public sealed record NewCompany(string Name, string Plan);
