using EventKit;

namespace Workspace.Events;

[EventType("task.assigned")]
public sealed record TaskAssigned([property: EntityId] Guid TaskId, Guid ProjectId, string Title, Guid AssigneeId, DateTimeOffset DueAt);
