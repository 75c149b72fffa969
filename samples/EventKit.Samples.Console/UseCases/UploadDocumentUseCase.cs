using EventKit;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class UploadDocumentUseCase(WorkspaceDbContext db, IEventPublisher publisher, TimeProvider time)
{
    /// <summary>Records an uploaded file (the bytes would go to blob storage; only the metadata is stored here).</summary>
    public async Task<Document> ExecuteAsync(Guid projectId, string fileName, long sizeBytes, Guid uploadedById, CancellationToken cancellationToken = default)
    {
        var document = new Document
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectId,
            FileName = fileName,
            SizeBytes = sizeBytes,
            UploadedById = uploadedById,
            UploadedAt = time.GetUtcNow(),
        };
        db.Documents.Add(document);
        await publisher.PublishAsync(
            new DocumentUploaded(document.Id, projectId, fileName, sizeBytes, uploadedById),
            new PublishOptions { Actor = uploadedById.ToString() },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return document;
    }
}
