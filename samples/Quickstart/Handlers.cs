using EventKit;

namespace Quickstart;

/// <summary>Sends the welcome email; the gateway fails once, so the run shows a retry.</summary>
public sealed class WelcomeEmailHandler(FlakyEmailGateway email) : IEventHandler<UserCreated>
{
    public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
    {
        await email.SendAsync(context.Payload.Email, $"Welcome, {context.Payload.Name}!", cancellationToken);
        Console.WriteLine($"[attempt {context.Attempt}] welcome email sent to {context.Payload.Email}");
    }
}

/// <summary>Sends the receipt for a paid invoice.</summary>
public sealed class InvoicePaidHandler : IEventHandler<InvoicePaid>
{
    public Task HandleAsync(EventContext<InvoicePaid> context, CancellationToken cancellationToken)
    {
        Console.WriteLine($"receipt sent for invoice {context.Payload.InvoiceId} ({context.Payload.Total:F2})");
        return Task.CompletedTask;
    }
}

/// <summary>An email gateway that fails on its first call.</summary>
public sealed class FlakyEmailGateway
{
    private int _calls;

    public Task SendAsync(string to, string subject, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            throw new HttpRequestException("email gateway timed out");
        }

        return Task.CompletedTask;
    }
}
