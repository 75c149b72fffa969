using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class SetBillingContactUseCase(WorkspaceDbContext db, IEventPublisher publisher)
{
    public async Task ExecuteAsync(Guid companyId, string billingEmail, string actor, CancellationToken cancellationToken = default)
    {
        var company = await db.Companies.SingleOrDefaultAsync(c => c.Id == companyId, cancellationToken)
            ?? throw new KeyNotFoundException($"No company with id {companyId}.");
        company.BillingEmail = billingEmail;
        await publisher.PublishAsync(
            new CompanyUpdated(company.Id, ["billingEmail"]),
            new PublishOptions { Actor = actor },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
