using EventKit;

namespace Workspace.Events;

[EventType("task.created")]
public sealed record TaskCreated([property: EntityId] Guid TaskId, Guid ProjectId, string Title);
