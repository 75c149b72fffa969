using EventKit;
using Workspace.Events;
using Workspace.Services;

namespace Workspace.Handlers;

/// <summary>Welcomes a new user: a welcome email and an in-app notification.</summary>
public sealed class UserCreatedHandler(EmailService email, NotificationService notifications) : IEventHandler<UserCreated>
{
    public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
    {
        var user = context.Payload;
        await email.SendAsync(
            context.Id,
            "welcome",
            user.Email,
            "Welcome to Workspace",
            $"Hi {user.Name}, your account is ready.",
            cancellationToken);

        await notifications.CreateAsync(
            context.Id,
            user.UserId,
            "Welcome",
            $"Hi {user.Name}, welcome to Workspace",
            cancellationToken: cancellationToken);
    }
}
