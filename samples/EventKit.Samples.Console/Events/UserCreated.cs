using EventKit;

namespace Workspace.Events;

[EventType("user.created")]
public sealed record UserCreated([property: EntityId] Guid UserId, string Email, string Name, Guid CompanyId);
