using EventKit.ContractTests;

namespace EventKit.Tests.Other;

/// <summary>Same class name as the contract suite's handler, in another namespace.</summary>
public sealed class WelcomeEmailHandler : IEventHandler<UserCreated>
{
    public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken) => Task.CompletedTask;
}
