using EventKit;
using Workspace.Data;
using Workspace.Domain;
using Workspace.Events;

namespace Workspace.UseCases;

public sealed class CreateUserUseCase(WorkspaceDbContext db, IEventPublisher publisher, TimeProvider time)
{
    public async Task<User> ExecuteAsync(Guid companyId, string email, string name, CancellationToken cancellationToken = default)
    {
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            CompanyId = companyId,
            Email = email,
            Name = name,
            CreatedAt = time.GetUtcNow(),
        };
        db.Users.Add(user);
        await publisher.PublishAsync(new UserCreated(user.Id, user.Email, user.Name, user.CompanyId), cancellationToken: cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }
}
