using EventKit;

namespace Workspace.Events;

/// <summary>
/// Published when a task is assigned, as a delayed event that becomes runnable at <paramref name="DueAt"/>.
/// The handler checks the task then: it may have been finished or rescheduled meanwhile.
/// </summary>
[EventType("task.overdue")]
public sealed record TaskOverdue([property: EntityId] Guid TaskId, Guid ProjectId, string Title, Guid AssigneeId, DateTimeOffset DueAt);
