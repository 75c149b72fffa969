using EventKit;

namespace Workspace.Events;

[EventType("project.completed")]
public sealed record ProjectCompleted([property: EntityId] Guid ProjectId, string Name, Guid ManagerId, DateTimeOffset CompletedAt);
