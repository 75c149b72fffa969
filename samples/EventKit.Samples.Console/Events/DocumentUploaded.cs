using EventKit;

namespace Workspace.Events;

[EventType("document.uploaded")]
public sealed record DocumentUploaded([property: EntityId] Guid DocumentId, Guid ProjectId, string FileName, long SizeBytes, Guid UploadedById);
