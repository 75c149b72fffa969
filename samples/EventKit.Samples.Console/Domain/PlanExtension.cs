namespace Workspace.Domain;

/// <summary>
/// A change to a company's plan expiry (the <c>plan_extensions</c> table). Written in the same SaveChanges as the
/// change itself and unique per event, so a repeated <c>invoice.paid</c> cannot extend the plan twice.
/// </summary>
public sealed class PlanExtension
{
    public long Id { get; set; }

    public Guid EventId { get; set; }

    public Guid CompanyId { get; set; }

    public int Months { get; set; }

    public DateTimeOffset PreviousExpiry { get; set; }

    public DateTimeOffset NewExpiry { get; set; }
}
