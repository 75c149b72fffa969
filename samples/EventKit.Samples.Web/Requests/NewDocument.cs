namespace Workspace.Web.Requests;

public sealed record NewDocument(string FileName, long SizeBytes, Guid UploadedById);
