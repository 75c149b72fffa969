using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>Hostile publishing, the same on every store: what the README promises about bad input at the call.</summary>
public abstract partial class StoreContractTests
{
    /// <summary>
    /// README: a null payload throws at the call (ArgumentNullException). A payload whose JSON is <c>null</c> (a
    /// JsonElement of kind Null, the documented untyped way) is the same null in disguise: no handler can ever read it
    /// (the processor dead-letters it, "The payload is JSON null"), so it must fail at the call too, not later.
    /// </summary>
    [SkippableFact]
    public async Task Publish_PayloadWhoseJsonIsNull_ThrowsNamingPayload_AndStoresNothing()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<WelcomeEmailHandler>());
        var jsonNull = JsonDocument.Parse("null").RootElement;

        var untyped = () => app.PublishAsync(p => p.PublishAsync("user.created", "user", "u1", jsonNull));
        (await untyped.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("payload");

        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(0, "nothing is stored");
    }

    /// <summary>README: PublishManyAsync of nothing stores nothing and returns no ids; the unit of work still commits.</summary>
    [SkippableFact]
    public async Task PublishMany_Empty_ReturnsNoIds_AndTheUnitOfWorkCommits()
    {
        await using var app = CreateApp();

        var ids = await app.PublishManyAsync(Array.Empty<UserCreated>());

        ids.Should().BeEmpty();
        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(0);
    }

    /// <summary>
    /// "Every payload is validated and serialized before anything is stored": a sequence that throws while it is
    /// enumerated (the caller's own error) stores none of the payloads it yielded before.
    /// </summary>
    [SkippableFact]
    public async Task PublishMany_SequenceThrowsMidway_StoresNone()
    {
        await using var app = CreateApp();

        var publish = () => app.PublishManyAsync(Throwing());

        await publish.Should().ThrowAsync<InvalidOperationException>().WithMessage("the caller's sequence failed");
        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(0, "no payload of a refused batch is stored");

        static IEnumerable<UserCreated> Throwing()
        {
            yield return NewUser("A");
            yield return NewUser("B");
            throw new InvalidOperationException("the caller's sequence failed");
        }
    }

    /// <summary>
    /// A publish whose token is already cancelled throws OperationCanceledException and stores nothing, on every store
    /// (the in-memory store already refused it; a transactional store took it into the unit of work anyway).
    /// </summary>
    [SkippableFact]
    public async Task Publish_WithACancelledToken_Throws_AndStoresNothing_OnEveryStore()
    {
        await using var app = CreateApp();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var calls = new (string Name, Func<IEventPublisher, Task> Publish)[]
        {
            ("typed", p => p.PublishAsync(NewUser("A"), cancellationToken: cancelled.Token).AsTask()),
            ("typed with entity id", p => p.PublishAsync(new TestEvent("x"), "t1", cancellationToken: cancelled.Token).AsTask()),
            ("untyped", p => p.PublishAsync("test.event", "test", "t1", new TestEvent("x"), cancellationToken: cancelled.Token).AsTask()),
            ("keyed", p => p.PublishAsync(NewUser("K"), new PublishOptions { IdempotencyKey = "cancelled-key" }, cancelled.Token).AsTask()),
            ("many", p => p.PublishManyAsync([NewUser("M1"), NewUser("M2")], cancellationToken: cancelled.Token).AsTask()),
        };

        var failures = new List<string>();
        foreach (var (name, publish) in calls)
        {
            Exception? error = null;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                try
                {
                    await publish(scope.ServiceProvider.GetRequiredService<IEventPublisher>());
                }
                catch (Exception ex)
                {
                    error = ex;
                }

                await CommitAsync(scope.ServiceProvider);
            }

            if (error is not OperationCanceledException)
            {
                failures.Add($"{name}: {error?.GetType().Name ?? "no exception"}");
            }
        }

        var stored = (await app.Operations.GetMetricsAsync()).Pending;
        failures.Should().BeEmpty();
        stored.Should().Be(0, "a cancelled publish stores nothing");
    }

    /// <summary>
    /// README: PublishManyAsync publishes a batch and returns the ids in order (one statement where the store can). A
    /// batch of 10,001 events is stored whole, in order, on every store (PostgreSQL: one statement over arrays, no
    /// parameter limit; SQLite: one prepared statement).
    /// </summary>
    [SkippableFact]
    public async Task PublishMany_TenThousandAndOne_StoresAllInOrder()
    {
        await using var app = CreateApp();
        var payloads = Enumerable.Range(0, 10_001).Select(i => new TaskOverdue($"t{i}", $"task {i}")).ToList();

        var ids = await app.PublishManyAsync(payloads);

        ids.Should().HaveCount(10_001).And.OnlyHaveUniqueItems();
        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(10_001);
        (await app.GetAsync(ids[0])).EntityId.Should().Be("t0");
        (await app.GetAsync(ids[^1])).EntityId.Should().Be("t10000");
        var page = await app.Operations.GetEventsAsync(new EventFilter { Type = "task.overdue" }, pageSize: 1000, order: EventOrder.OldestFirst);
        page.Events.Select(e => e.EntityId).Should().Equal(Enumerable.Range(0, 1000).Select(i => $"t{i}"));
    }
}
