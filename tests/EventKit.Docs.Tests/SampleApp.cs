using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace EventKit.Docs.Tests;

// The application types the README's snippets use without showing them: its entities, ports and fakes.

/// <summary>The application's user (an EF entity in <see cref="AppDbContext"/>).</summary>
public sealed class User
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Email { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset TrialEndsAt { get; set; }
}

/// <summary>The application's e-mail port; tests use the fake below.</summary>
public interface IEmailSender
{
    Task SendAsync(string to, string subject, CancellationToken cancellationToken);
}

/// <summary>Records what it sends; fails its first <see cref="FailuresLeft"/> calls like an SMTP server that is down.</summary>
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

[EventType("notification.sent")]
public sealed record NotificationSent([property: EntityId] Guid UserId, string Title);

/// <summary>The handler of the README's "Testing your handlers": welcome e-mail, then a notification event.</summary>
public sealed class UserCreatedHandler(IEmailSender email, IEventPublisher publisher) : IEventHandler<UserCreated>
{
    public async Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
    {
        var user = context.Payload;
        await email.SendAsync(user.Email, $"Welcome, {user.Name}", cancellationToken);
        await publisher.PublishAsync(new NotificationSent(user.UserId, "Welcome"), cancellationToken: cancellationToken);
    }
}

[EventType("invoice.paid", Entity = "invoice")]
public sealed record InvoicePaid([property: EntityId] int InvoiceId, decimal Total);

public sealed record Invoice(int Id, decimal Total, string CustomerEmail);

public interface IInvoices
{
    Task<Invoice?> FindAsync(int id, CancellationToken cancellationToken);
}

public interface IReceiptSender
{
    Task SendAsync(Invoice invoice, CancellationToken cancellationToken);
}

public sealed class FakeInvoices : IInvoices
{
    public ConcurrentDictionary<int, Invoice> Invoices { get; } = new();

    public Task<Invoice?> FindAsync(int id, CancellationToken cancellationToken) =>
        Task.FromResult(Invoices.TryGetValue(id, out var invoice) ? invoice : null);
}

/// <summary>Records receipts; fails its first <see cref="FailuresLeft"/> calls.</summary>
public sealed class FakeReceiptSender : IReceiptSender
{
    public ConcurrentQueue<Invoice> Sent { get; } = new();

    public int FailuresLeft { get; set; }

    public Task SendAsync(Invoice invoice, CancellationToken cancellationToken)
    {
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new TimeoutException("the mail relay did not answer");
        }

        Sent.Enqueue(invoice);
        return Task.CompletedTask;
    }
}

[EventType("trial.ending", Entity = "user")]
public sealed record TrialEnding([property: EntityId] Guid UserId, DateTimeOffset EndsAt);

/// <summary>Handles the README's delayed event; records when it ran.</summary>
public sealed class TrialReminderHandler(TrialReminderHandler.Runs runs, TimeProvider time) : IEventHandler<TrialEnding>
{
    public Task HandleAsync(EventContext<TrialEnding> context, CancellationToken cancellationToken)
    {
        runs.At.Enqueue(time.GetUtcNow());
        return Task.CompletedTask;
    }

    public sealed class Runs
    {
        public ConcurrentQueue<DateTimeOffset> At { get; } = new();
    }
}

/// <summary>A credit granted by the FAQ's idempotent handler: one per event, keyed by the event id.</summary>
public sealed class Credit
{
    public Guid EventId { get; set; }

    public Guid UserId { get; set; }

    public int Amount { get; set; }
}

/// <summary>The database of the FAQ's idempotent handler.</summary>
public sealed class RewardsDbContext(DbContextOptions<RewardsDbContext> options) : DbContext(options)
{
    public DbSet<Credit> Credits => Set<Credit>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Credit>().HasKey(c => c.EventId);
}
