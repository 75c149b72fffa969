using EventKit;
using Microsoft.EntityFrameworkCore;
using Workspace.Data;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class SetBillingContactUseCase(WorkspaceDbContext db, IEventPublisher publisher)
{
    public async Task ExecuteAsync(Guid companyId, string billingEmail, string actor, CancellationToken cancellationToken = default)
    {
        var company = await db.Companies.SingleAsync(c => c.Id == companyId, cancellationToken);
        company.BillingEmail = billingEmail;
        await publisher.PublishAsync(
            new CompanyUpdated(company.Id, ["billingEmail"]),
            new PublishOptions { Actor = actor },
            cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
