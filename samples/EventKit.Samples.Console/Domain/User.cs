namespace Workspace.Domain;

public sealed class User
{
    public Guid Id { get; set; }

    public Guid CompanyId { get; set; }

    public string Email { get; set; } = "";

    public string Name { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}
