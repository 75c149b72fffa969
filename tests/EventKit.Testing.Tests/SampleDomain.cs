using System.Collections.Concurrent;

namespace EventKit.Testing.Tests;

[EventType("user.created", Entity = "user")]
public sealed record UserCreated([property: EntityId] Guid UserId, string Email, string Name);

[EventType("notification.sent")]
public sealed record NotificationSent([property: EntityId] Guid UserId, string Title);

[EventType("test.event", Entity = "test")]
public sealed record TestEvent(string Data);

/// <summary>The application's e-mail port; tests use the fake below.</summary>
public interface IEmailSender
{
    Task SendAsync(string to, string subject, CancellationToken cancellationToken);
}

public sealed class FakeEmailSender : IEmailSender
{
    public ConcurrentQueue<(string To, string Subject)> Sent { get; } = new();

    public int FailuresLeft { get; set; }

    public Task SendAsync(string to, string subject, CancellationToken cancellationToken)
    {
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new HttpRequestException("smtp unavailable");
        }

        Sent.Enqueue((to, subject));
        return Task.CompletedTask;
    }
}

/// <summary>The seed's UserCreatedHandler: welcome e-mail, then a notification event.</summary>
public sealed class UserCreatedHandler(IEmailSender email, IEventPublisher publisher) : IEventHandler<UserCreated>
{
    public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
    {
        var user = context.Payload;
        await email.SendAsync(user.Email, $"Welcome, {user.Name}", cancellationToken);
        await publisher.PublishAsync(new NotificationSent(user.UserId, "Bienvenido"), cancellationToken: cancellationToken);
    }
}

/// <summary>A handler mock in the seed's style: counts calls, can be told to throw.</summary>
public sealed class TestEventHandler(TestEventHandler.Calls calls) : IEventHandler<TestEvent>
{
    public Task HandleAsync(EventContext<TestEvent> context, CancellationToken cancellationToken)
    {
        calls.Count++;
        return calls.Throw is { } exception ? throw exception() : Task.CompletedTask;
    }

    public sealed class Calls
    {
        public int Count { get; set; }

        public Func<Exception>? Throw { get; set; }
    }
}
