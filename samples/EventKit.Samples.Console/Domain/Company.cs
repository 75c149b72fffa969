namespace Workspace.Domain;

/// <summary>A customer of Workspace: it pays for a plan, and its users work on its projects.</summary>
public sealed class Company
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public string Plan { get; set; } = "";

    public DateTimeOffset PlanExpiresAt { get; set; }

    /// <summary>Who hears about failed payments; companies often sign up without one.</summary>
    public string? BillingEmail { get; set; }
}
