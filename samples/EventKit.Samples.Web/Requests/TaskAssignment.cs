namespace Workspace.Web.Requests;

public sealed record TaskAssignment(Guid AssigneeId, DateTimeOffset DueAt, Guid ActorId);
