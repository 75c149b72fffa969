using EventKit;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class RegisterCompanyUseCase(WorkspaceDbContext db, IEventPublisher publisher, TimeProvider time)
{
    /// <summary>Registers a company on a 14-day trial of <paramref name="plan"/>.</summary>
    public async Task<Company> ExecuteAsync(string name, string plan, CancellationToken cancellationToken = default)
    {
        var company = new Company
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Plan = plan,
            PlanExpiresAt = time.GetUtcNow().AddDays(14),
        };
        db.Companies.Add(company);
        await publisher.PublishAsync(new CompanyCreated(company.Id, company.Name, company.Plan), cancellationToken: cancellationToken);

        // One SaveChanges writes the company and its event: both commit, or neither does.
        await db.SaveChangesAsync(cancellationToken);
        return company;
    }
}
