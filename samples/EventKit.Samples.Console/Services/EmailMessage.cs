namespace Workspace.Services;

/// <summary>An email handed to the gateway; <paramref name="EventId"/> travels as a header, for tracing.</summary>
public sealed record EmailMessage(string To, string Subject, string Body, Guid EventId);
