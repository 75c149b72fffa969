using EventKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>
/// Runs the README's "Retries and dead letters" handler and its "Metrics and operations" snippet: an invoice that does
/// not exist is dead-lettered at once, inspected, fixed and requeued; a failing receipt is retried with backoff.
/// </summary>
public sealed class RetriesAndOperationsTests
{
    private readonly FakeInvoices _invoices = new();
    private readonly FakeReceiptSender _receipts = new();

    [Fact]
    public async Task NonRetryableFailure_IsDeadLetteredAtOnce_ThenInspectedFixedAndRequeued()
    {
        await using var harness = Create();
        var since = harness.Time.GetUtcNow();
        var id = await harness.PublishAsync(new InvoicePaid(1042, 99.90m));

        var first = await harness.DrainAsync();
        Assert.Equal(1, first.DeadLettered);
        Assert.IsType<NonRetryableEventException>(Assert.Single(harness.Failures).Exception);

        _invoices.Invoices[1042] = new Invoice(1042, 99.90m, "billing@acme.example");   // the fix
        var (metrics, byType, dead, details) = await OperationsSnippets.InspectAsync(harness.Operations, since, harness.Time.GetUtcNow(), id);

        Assert.Equal((0, 1), (metrics.Completed, metrics.DeadLetters));
        Assert.Equal(("invoice.paid", 1), (Assert.Single(byType).Type, Assert.Single(byType).Count));
        Assert.Equal(id, Assert.Single(dead).Id);
        Assert.StartsWith("EventKit.NonRetryableEventException: Invoice 1042 does not exist.", dead[0].LastError, StringComparison.Ordinal);
        Assert.NotNull(details);
        Assert.Equal(EventStatus.Pending, details.Event.Status);                 // requeued
        Assert.Equal(EventLogResult.Failure, Assert.Single(details.Log, l => l.Kind == EventLogKind.HandlerRun).Result); // the dead-lettered attempt
        Assert.Equal(EventLogKind.Requeue, details.Log[^1].Kind);                // then who requeued it, and why

        var second = await harness.DrainAsync();
        Assert.Equal(1, second.Completed);
        Assert.Equal(1042, Assert.Single(_receipts.Sent).Id);
    }

    [Fact]
    public async Task RetryableFailure_WaitsRetryBaseDelayTimesTwoToTheN_ThenIsDeadLetteredAfterMaxAttempts()
    {
        _invoices.Invoices[7] = new Invoice(7, 10m, "ana@example.com");
        _receipts.FailuresLeft = int.MaxValue;
        await using var harness = Create();   // defaults: RetryBaseDelay 5 s, MaxAttempts 3
        var id = await harness.PublishAsync(new InvoicePaid(7, 10m));

        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var failedAt = harness.Time.GetUtcNow();
            Assert.Equal(1, (await harness.DrainAsync()).Failed);
            var retryAt = (await harness.GetEventAsync(id)).Event.AvailableAt;
            delays.Add(retryAt - failedAt);
            harness.Time.SetUtcNow(retryAt);
        }

        Assert.InRange(delays[0], TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));    // 5 s ± 20 %
        Assert.InRange(delays[1], TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));   // 10 s ± 20 %
        Assert.Equal(1, (await harness.DrainAsync()).DeadLettered);                      // attempt 3 of 3
        Assert.StartsWith("Failed after 3 attempts (MaxAttempts). Last error: System.TimeoutException", (await harness.GetEventAsync(id)).Event.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryDelay_NeverExceedsRetryMaxDelay()
    {
        _invoices.Invoices[7] = new Invoice(7, 10m, "ana@example.com");
        _receipts.FailuresLeft = int.MaxValue;
        await using var harness = Create(o => (o.RetryBaseDelay, o.RetryMaxDelay, o.MaxAttempts) = (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), 20));
        var id = await harness.PublishAsync(new InvoicePaid(7, 10m));

        for (var attempt = 1; attempt <= 10; attempt++)
        {
            var failedAt = harness.Time.GetUtcNow();
            await harness.DrainAsync();
            var retryAt = (await harness.GetEventAsync(id)).Event.AvailableAt;
            Assert.InRange(retryAt - failedAt, TimeSpan.FromSeconds(48), TimeSpan.FromMinutes(1));   // the jitter is applied before the cap
            harness.Time.SetUtcNow(retryAt);
        }
    }

    private EventKitHarness Create(Action<EventKitOptions>? options = null) => EventKitHarness.Create(
        b => b.AddHandler<InvoicePaidHandler>(),
        options,
        s => s.AddSingleton<IInvoices>(_invoices).AddSingleton<IReceiptSender>(_receipts));
}
