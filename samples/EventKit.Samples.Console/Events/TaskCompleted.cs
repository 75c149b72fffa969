using EventKit;

namespace Workspace.Events;

[EventType("task.completed")]
public sealed record TaskCompleted([property: EntityId] Guid TaskId, Guid ProjectId, string Title);
