using EventKit;

namespace Workspace.Events;

[EventType("company.created")]
public sealed record CompanyCreated([property: EntityId] Guid CompanyId, string Name, string Plan);
