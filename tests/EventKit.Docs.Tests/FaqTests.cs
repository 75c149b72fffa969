using EventKit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>The README's FAQ, run: an idempotent handler run twice for one event, and which handlers a retry re-runs.</summary>
public sealed class FaqTests : IDisposable
{
    private readonly SqliteConnection _rewards = new("Data Source=:memory:");

    public FaqTests() => _rewards.Open();

    [Fact]
    public async Task IdempotentHandler_DoesItsWorkOnce_WhenItRunsAgainForTheSameEvent()
    {
        // The first SaveChanges commits, then fails (a connection lost after the commit): the run counts as failed
        // and is retried, like a run whose outcome was never recorded.
        var lostAfterCommit = new FailOnceAfterCommit();
        await using var harness = EventKitHarness.Create(
            b => b.AddHandler<SignupCreditHandler>(),
            o => o.RetryBaseDelay = TimeSpan.FromSeconds(1),
            s => s.AddDbContext<RewardsDbContext>(o => o.UseSqlite(_rewards).AddInterceptors(lostAfterCommit)));
        await harness.RunInScopeAsync(sp => sp.GetRequiredService<RewardsDbContext>().Database.EnsureCreatedAsync());

        var userId = Guid.NewGuid();
        var id = await harness.PublishAsync(new UserCreated(userId, "ana@example.com", "Ana"));
        await harness.DrainUntilIdleAsync();

        await harness.EnsureCompletedAsync(id);
        Assert.Equal([false, true], harness.HandlerRunsFor(id).Select(r => r.Succeeded));
        await harness.RunInScopeAsync(async sp =>
        {
            var credit = Assert.Single(await sp.GetRequiredService<RewardsDbContext>().Credits.ToListAsync());
            Assert.Equal((id, userId, 10), (credit.EventId, credit.UserId, credit.Amount));
        });
    }

    [Fact]
    public async Task RetryAndRequeue_RunOnlyTheHandlersThatHaveNotSucceeded()
    {
        var invoices = new FakeInvoices();
        invoices.Invoices[7] = new Invoice(7, 10m, "ana@example.com");
        var receipts = new FakeReceiptSender { FailuresLeft = 2 };
        await using var harness = EventKitHarness.Create(
            b => b.AddHandler<LedgerHandler>().AddHandler<InvoicePaidHandler>(),
            o => o.MaxAttempts = 2,
            s => s.AddSingleton<IInvoices>(invoices).AddSingleton<IReceiptSender>(receipts));
        var id = await harness.PublishAsync(new InvoicePaid(7, 10m));

        await harness.DrainUntilIdleAsync();                   // the receipt fails twice: dead letter
        Assert.Equal(EventStatus.DeadLetter, await harness.GetStatusAsync(id));
        await harness.Operations.RequeueAsync(id, "ops", "fixed the mail server");
        await harness.DrainAsync();                            // the receipt is sent

        await harness.EnsureCompletedAsync(id);
        Assert.Equal(
            [("LedgerHandler", true), ("InvoicePaidHandler", false), ("InvoicePaidHandler", false), ("InvoicePaidHandler", true)],
            harness.HandlerRunsFor(id).Select(r => (r.Handler, r.Succeeded)));
    }

    public void Dispose() => _rewards.Dispose();

    private sealed class LedgerHandler : IEventHandler<InvoicePaid>
    {
        public Task HandleAsync(EventContext<InvoicePaid> context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FailOnceAfterCommit : SaveChangesInterceptor
    {
        private int _calls;

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new IOException("The connection was lost after the commit.")
                : ValueTask.FromResult(result);
    }
}
