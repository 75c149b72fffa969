namespace Workspace.Web.Requests;

public sealed record BillingContact(string Email, string Actor);
