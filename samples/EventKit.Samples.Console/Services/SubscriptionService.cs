using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workspace.Data;
using Workspace.Domain;

namespace Workspace.Services;

/// <summary>Extends companies' plans.</summary>
public sealed class SubscriptionService(WorkspaceDbContext db, TimeProvider time, ILogger<SubscriptionService> logger)
{
    /// <summary>
    /// Extends the company's plan by <paramref name="months"/>, from its expiry (or from now if it has lapsed).
    /// The new expiry and a <c>plan_extensions</c> row keyed by the event commit together, so the same event can
    /// never extend the plan twice.
    /// </summary>
    public async Task ExtendAsync(Guid eventId, Guid companyId, int months, CancellationToken cancellationToken)
    {
        if (await db.PlanExtensions.AnyAsync(x => x.EventId == eventId, cancellationToken))
        {
            return;
        }

        var company = await db.Companies.SingleAsync(c => c.Id == companyId, cancellationToken);
        var now = time.GetUtcNow();
        var previous = company.PlanExpiresAt;
        company.PlanExpiresAt = (previous > now ? previous : now).AddMonths(months);
        db.PlanExtensions.Add(new PlanExtension
        {
            EventId = eventId,
            CompanyId = companyId,
            Months = months,
            PreviousExpiry = previous,
            NewExpiry = company.PlanExpiresAt,
        });
        await db.SaveChangesAsync(cancellationToken);
        Log.PlanExtended(logger, company.Name, months, previous, company.PlanExpiresAt);
    }
}
