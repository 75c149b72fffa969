using EventKit;

namespace Workspace.Events;

/// <summary>A company's settings changed; <paramref name="Changed"/> names the fields.</summary>
[EventType("company.updated")]
public sealed record CompanyUpdated([property: EntityId] Guid CompanyId, IReadOnlyList<string> Changed);
