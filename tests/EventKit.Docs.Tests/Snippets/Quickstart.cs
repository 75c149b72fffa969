using Microsoft.Extensions.Hosting;

namespace EventKit.Docs.Tests;

// README "Quickstart": registration, the event and its handler, publishing. QuickstartTests runs them.
public static class QuickstartSnippets
{
    public static void Register(HostApplicationBuilder builder)
    {
        // <readme:quickstart-services>
        builder.Services.AddEventKit(o => o.MaxAttempts = 5)      // options, all optional
            .AddHandler<WelcomeEmailHandler>();                    // infers the event type from IEventHandler<UserCreated>
        // </readme:quickstart-services>
    }

    public static async Task CreateUserAsync(IEventPublisher publisher, User user)
    {
        // <readme:quickstart-publish>
        await publisher.PublishAsync(new UserCreated(user.Id, user.Email, user.Name));
        // or the untyped form of the original design (this stores the same event):
        await publisher.PublishAsync("user.created", "user", user.Id.ToString(), new { UserId = user.Id, user.Email, user.Name });
        // </readme:quickstart-publish>
    }
}

// <readme:quickstart-types>
[EventType("user.created", Entity = "user")]
public sealed record UserCreated([property: EntityId] Guid UserId, string Email, string Name);

public sealed class WelcomeEmailHandler(IEmailSender email) : IEventHandler<UserCreated>
{
    public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken) =>
        email.SendAsync(context.Payload.Email, $"Welcome, {context.Payload.Name}!", cancellationToken);
}
// </readme:quickstart-types>
