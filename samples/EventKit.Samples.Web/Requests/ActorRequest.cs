namespace Workspace.Web.Requests;

/// <summary>A request whose only content is who makes it.</summary>
public sealed record ActorRequest(Guid ActorId);
