using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>The store's bulk actions honour a token cancelled before the call: they throw and change nothing.</summary>
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public async Task StoreBulkActions_TokenAlreadyCancelled_Throw_AndChangeNothing()
    {
        await using var app = CreateApp();
        app.Probe.FailWith(nameof(TestEventHandler), () => new NonRetryableEventException("down"));
        var dead = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "dead", new { data = "x" }));
        var completed = await app.PublishAsync(NewUser());
        await app.DrainAsync();
        app.Time.Advance(TimeSpan.FromDays(1));
        var now = app.Time.GetUtcNow();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var purge = () => app.WithStoreAsync(s => s.PurgeAsync(new EventFilter { Type = "test.event" }, new EventPosition(now, Guid.Empty), 10, cancelled.Token));
        var requeue = () => app.WithStoreAsync(s => s.RequeueAsync(null, new EventFilter { Status = EventStatus.DeadLetter }, null, 10, Operator, "SMTP fixed", now, cancelled.Token));
        var retention = () => app.WithStoreAsync(s => s.DeleteProcessedAsync(EventStatus.Completed, now, 10, cancelled.Token));

        await purge.Should().ThrowAsync<OperationCanceledException>();
        await requeue.Should().ThrowAsync<OperationCanceledException>();
        await retention.Should().ThrowAsync<OperationCanceledException>();
        (await app.GetAsync(dead)).Status.Should().Be(EventStatus.DeadLetter, "neither purged nor requeued");
        (await app.GetLogAsync(dead)).Should().NotContain(l => l.Kind == EventLogKind.Requeue);
        (await app.GetAsync(completed)).Status.Should().Be(EventStatus.Completed, "not deleted by the cleanup");
    }
}
