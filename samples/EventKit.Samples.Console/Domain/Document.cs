namespace Workspace.Domain;

public sealed class Document
{
    public Guid Id { get; set; }

    public Guid ProjectId { get; set; }

    public string FileName { get; set; } = "";

    public long SizeBytes { get; set; }

    public Guid UploadedById { get; set; }

    public DateTimeOffset UploadedAt { get; set; }
}
