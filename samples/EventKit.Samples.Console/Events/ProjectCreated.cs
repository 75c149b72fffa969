using EventKit;

namespace Workspace.Events;

[EventType("project.created")]
public sealed record ProjectCreated([property: EntityId] Guid ProjectId, Guid CompanyId, string Name, Guid ManagerId);
