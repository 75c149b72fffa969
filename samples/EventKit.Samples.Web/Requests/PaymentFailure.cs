namespace Workspace.Web.Requests;

public sealed record PaymentFailure(string Reason);
