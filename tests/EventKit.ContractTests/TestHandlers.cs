using System.Text.Json;

namespace EventKit.ContractTests;

public sealed class WelcomeEmailHandler(HandlerProbe probe) : IEventHandler<UserCreated>
{
    public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken) =>
        probe.InvokeAsync(nameof(WelcomeEmailHandler), context.Id, context.Attempt, context.Payload, cancellationToken);
}

public sealed class WelcomeNotificationHandler(HandlerProbe probe) : IEventHandler<UserCreated>
{
    public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken) =>
        probe.InvokeAsync(nameof(WelcomeNotificationHandler), context.Id, context.Attempt, context.Payload, cancellationToken);
}

public sealed class TestEventHandler(HandlerProbe probe) : IEventHandler<TestEvent>
{
    public Task HandleAsync(EventContext<TestEvent> context, CancellationToken cancellationToken) =>
        probe.InvokeAsync(nameof(TestEventHandler), context.Id, context.Attempt, context, cancellationToken);
}

/// <summary>Handles two event types with one class.</summary>
public sealed class BillingHandler(HandlerProbe probe) : IEventHandler<InvoicePaid>, IEventHandler<TaskOverdue>
{
    public Task HandleAsync(EventContext<InvoicePaid> context, CancellationToken cancellationToken) =>
        probe.InvokeAsync(nameof(BillingHandler), context.Id, context.Attempt, context.Payload, cancellationToken);

    public Task HandleAsync(EventContext<TaskOverdue> context, CancellationToken cancellationToken) =>
        probe.InvokeAsync(nameof(BillingHandler), context.Id, context.Attempt, context.Payload, cancellationToken);
}

/// <summary>Handles an event type published with the untyped API, reading raw JSON.</summary>
public sealed class RawJsonHandler(HandlerProbe probe) : IEventHandler<JsonElement>
{
    public Task HandleAsync(EventContext<JsonElement> context, CancellationToken cancellationToken) =>
        probe.InvokeAsync(nameof(RawJsonHandler), context.Id, context.Attempt, context.Payload, cancellationToken);
}

/// <summary>Handles a polymorphic payload type.</summary>
public sealed class ShapeHandler(HandlerProbe probe) : IEventHandler<Shape>
{
    public Task HandleAsync(EventContext<Shape> context, CancellationToken cancellationToken) =>
        probe.InvokeAsync(nameof(ShapeHandler), context.Id, context.Attempt, context.Payload, cancellationToken);
}

/// <summary>
/// Handles the ordered <see cref="AccountChanged"/>: records the call, counts runs of one account at once
/// (<see cref="HandlerProbe.Overlaps"/>), waits at the account's gate if a test set one, and fails when a test scripted
/// failures for "account/seq".
/// </summary>
public sealed class AccountHandler(HandlerProbe probe) : IEventHandler<AccountChanged>
{
    public async Task HandleAsync(EventContext<AccountChanged> context, CancellationToken cancellationToken)
    {
        var account = context.Payload.AccountId;
        probe.Enter(account);
        try
        {
            await probe.InvokeAsync(nameof(AccountHandler), context.Id, context.Attempt, context.Payload, cancellationToken);
            if (probe.Gates.TryGetValue(account, out var gate))
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            probe.FailIfScripted($"{account}/{context.Payload.Seq}", context.Attempt);
        }
        finally
        {
            probe.Exit(account);
        }
    }
}
