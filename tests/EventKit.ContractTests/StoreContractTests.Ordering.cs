using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>
/// Ordering per entity (#16 item 2): events of an ordered type with the same (entity, entity id) run one at a time in
/// (created at, id) order, across processors; other entities go on in parallel; a failed, delayed or (under
/// <see cref="OrderedDeadLetterPolicy.Wait"/>) dead-lettered event holds back the later ones of its entity.
/// </summary>
public abstract partial class StoreContractTests
{
    [SkippableFact]
    public async Task Ordered_EachEntityRunsOneAtATimeInPublishOrder_AcrossFourProcessors()
    {
        const int entities = 20;
        const int perEntity = 10;
        await using var app = CreateOrderedApp(o =>
        {
            o.BatchSize = 7;
            o.MaxConcurrency = 4;
        });

        // Interleaved, in several units of work: each account's events are spread over the table.
        for (var seq = 1; seq <= perEntity; seq++)
        {
            await app.PublishManyAsync(Enumerable.Range(0, entities).Select(e => new AccountChanged($"a{e}", seq)));
        }

        // A drain ends when a claim finds nothing runnable, which here may mean "only events held back by runs of
        // another processor": each processor drains again until every event has run.
        var processors = Enumerable.Range(1, 4).Select(n => app.CreateProcessor($"p{n}")).ToArray();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = processors.Select(p => Task.Run(async () =>
        {
            await go.Task;
            while (app.Probe.CountCalls(nameof(AccountHandler)) < entities * perEntity)
            {
                await app.DrainAsync(p);
                await Task.Yield();
            }
        })).ToArray();
        go.SetResult();
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromMinutes(2));

        app.Probe.Overlaps.Should().Be(0, "two events of one account never run at once");
        for (var e = 0; e < entities; e++)
        {
            Sequence(app, $"a{e}").Should().Equal(Enumerable.Range(1, perEntity), "each account's events run once each, in publish order");
        }

        (await app.Operations.GetMetricsAsync()).Completed.Should().Be(entities * perEntity);
    }

    [SkippableFact]
    public async Task Ordered_ARunningEvent_HoldsBackOnlyItsOwnEntity()
    {
        await using var app = CreateOrderedApp(o => o.MaxConcurrency = 4);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Probe.Gates["a"] = gate;
        await app.PublishAsync(new AccountChanged("a", 1));
        var a2 = await app.PublishAsync(new AccountChanged("a", 2));
        var b1 = await app.PublishAsync(new AccountChanged("b", 1));
        var b2 = await app.PublishAsync(new AccountChanged("b", 2));

        // p1 takes a/1 and b/1 and waits for a/1 (p2 starts only then: it would otherwise race p1 for them); p2
        // drains b/2 as soon as b/1 has completed.
        var first = app.DrainAsync(app.CreateProcessor("p1"));
        await WaitUntilAsync(async () => Sequence(app, "a").Count == 1 && (await app.GetAsync(b1)).Status == EventStatus.Completed);
        var second = app.CreateProcessor("p2");
        await WaitUntilAsync(async () =>
        {
            await app.DrainAsync(second);
            return (await app.GetAsync(b2)).Status == EventStatus.Completed;
        });

        Sequence(app, "a").Should().Equal([1], "a/1 is still running");
        (await app.GetAsync(a2)).Should().Match<EventRecord>(e => e.Status == EventStatus.Pending && e.Attempts == 0);
        gate.SetResult();
        await first.WaitAsync(Wait);
        await app.DrainAsync(second);

        Sequence(app, "a").Should().Equal(1, 2);
        Sequence(app, "b").Should().Equal(1, 2);
        (await app.GetAsync(a2)).Status.Should().Be(EventStatus.Completed);
    }

    [SkippableFact]
    public async Task Ordered_FailingTheMiddleEventOnce_HoldsBackTheLaterOnes_ThenAllCompleteInOrder()
    {
        await using var app = CreateOrderedApp(o => o.MaxConcurrency = 4);
        app.Probe.FailTimes("a/2", 1);
        var ids = new List<Guid>();
        for (var seq = 1; seq <= 3; seq++)
        {
            ids.Add(await app.PublishAsync(new AccountChanged("a", seq)));
        }

        var other = await app.PublishAsync(new AccountChanged("b", 1));

        await app.DrainAsync();
        (await app.GetAsync(ids[1])).Status.Should().Be(EventStatus.Failed);
        (await app.GetAsync(ids[2])).Should().Match<EventRecord>(e => e.Status == EventStatus.Pending && e.Attempts == 0, "a/3 waits for a/2's retry");
        (await app.GetAsync(other)).Status.Should().Be(EventStatus.Completed, "another account is not held back");
        app.Time.Advance(TimeSpan.FromSeconds(7.9)); // the retry is due 8–12 s after the failure (10 s ± 20 % jitter)
        (await app.DrainAsync()).Claimed.Should().Be(0, "a/2 is not due yet, and a/3 still waits for it");

        app.Time.Advance(TimeSpan.FromSeconds(30));
        await app.DrainAsync();

        Sequence(app, "a").Should().Equal([1, 2, 2, 3], "a/2 ran twice (failed, then succeeded) and a/3 only after it");
        foreach (var id in ids)
        {
            (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        }
    }

    [SkippableFact]
    public async Task Ordered_DeadLetter_UnderSkip_LetsTheLaterEventsGoOn()
    {
        await using var app = CreateOrderedApp(o => o.MaxAttempts = 1);
        app.Probe.FailTimes("a/1", int.MaxValue);
        var dead = await app.PublishAsync(new AccountChanged("a", 1));
        var next = await app.PublishAsync(new AccountChanged("a", 2));

        await app.DrainAsync();

        (await app.GetAsync(dead)).Should().Match<EventRecord>(e => e.Status == EventStatus.DeadLetter && e.Ordering == EventOrdering.PerEntity);
        (await app.GetAsync(next)).Status.Should().Be(EventStatus.Completed);
        Sequence(app, "a").Should().Equal(1, 2);
    }

    [SkippableFact]
    public async Task Ordered_DeadLetter_UnderWait_HoldsBackTheLaterEvents_UntilRequeuedAndCompleted_OrPurged()
    {
        await using var app = CreateOrderedApp(o =>
        {
            o.MaxAttempts = 1;
            o.OrderedDeadLetters = OrderedDeadLetterPolicy.Wait;
        });
        app.Probe.FailTimes("a/1", 1);
        app.Probe.FailTimes("b/1", 1);
        var deadA = await app.PublishAsync(new AccountChanged("a", 1));
        var nextA = await app.PublishAsync(new AccountChanged("a", 2));
        var deadB = await app.PublishAsync(new AccountChanged("b", 1));
        var nextB = await app.PublishAsync(new AccountChanged("b", 2));

        await app.DrainAsync();

        (await app.GetAsync(deadA)).Should().Match<EventRecord>(e => e.Status == EventStatus.DeadLetter && e.Ordering == EventOrdering.PerEntityStrict);
        (await app.GetAsync(nextA)).Should().Match<EventRecord>(e => e.Status == EventStatus.Pending && e.Attempts == 0, "a dead letter holds back its entity under Wait");
        (await app.GetAsync(nextB)).Status.Should().Be(EventStatus.Pending);

        // Requeued, the dead letter runs first and the later event follows; purged, it lets the later event go.
        (await app.Operations.RequeueAsync(deadA, "ana@ops", "fixed")).Should().BeTrue();
        (await app.Operations.PurgeAsync(new EventFilter { Status = EventStatus.DeadLetter }, "ana@ops", "obsolete")).Should().Be(1);
        await app.DrainAsync();

        Sequence(app, "a").Should().Equal(1, 1, 2);
        Sequence(app, "b").Should().Equal(1, 2);
        (await app.GetAsync(nextA)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(nextB)).Status.Should().Be(EventStatus.Completed);
        (await app.Operations.GetEventAsync(deadB)).Should().BeNull();
    }

    [SkippableFact]
    public async Task Ordered_CancellingTheFailedEvent_ReleasesItsEntity()
    {
        await using var app = CreateOrderedApp();
        app.Probe.FailTimes("a/1", 1);
        var failed = await app.PublishAsync(new AccountChanged("a", 1));
        var next = await app.PublishAsync(new AccountChanged("a", 2));
        await app.DrainAsync();
        (await app.GetAsync(next)).Status.Should().Be(EventStatus.Pending);

        (await app.Operations.CancelAsync(failed, "ana@ops", "superseded")).Should().BeTrue();
        await app.DrainAsync();

        (await app.GetAsync(next)).Status.Should().Be(EventStatus.Completed);
        Sequence(app, "a").Should().Equal(1, 2);
    }

    [SkippableFact]
    public async Task Ordered_ADelayedEarlierEvent_HoldsBackLaterOnes_UntypedOptInToo_UnorderedEventsAreNot()
    {
        await using var app = CreateOrderedApp();
        var now = app.Time.GetUtcNow();

        // Untyped publishing opts in with PublishOptions.Ordered; the delayed event is earlier by creation.
        var delayed = await app.PublishAsync(p => p.PublishAsync("account.noted", "account", "a", new { }, new PublishOptions { Ordered = true, AvailableAt = now.AddHours(1) }));
        var ordered = await app.PublishAsync(new AccountChanged("a", 1));
        var unordered = await app.PublishAsync(p => p.PublishAsync("account.viewed", "account", "a", new { }));

        (await app.DrainAsync()).Claimed.Should().Be(1, "only the unordered event of the account may run");
        (await app.GetAsync(unordered)).Should().Match<EventRecord>(e => e.Status == EventStatus.Completed && e.Ordering == EventOrdering.None);
        (await app.GetAsync(ordered)).Status.Should().Be(EventStatus.Pending);
        (await app.GetAsync(delayed)).Ordering.Should().Be(EventOrdering.PerEntity);

        app.Time.Advance(TimeSpan.FromHours(1));
        await app.DrainAsync();

        (await app.GetAsync(delayed)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(ordered)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(ordered)).ProcessedAt.Should().BeOnOrAfter((await app.GetAsync(delayed)).ProcessedAt!.Value);
    }

    private TestApp CreateOrderedApp(Action<EventKitOptions>? configure = null) =>
        CreateApp(configure, b => b.AddHandler<AccountHandler>());

    /// <summary>The sequence numbers of <paramref name="account"/>'s handler runs, in the order they started.</summary>
    private static List<int> Sequence(TestApp app, string account) =>
        [.. app.Probe.Calls.Where(c => c.Handler == nameof(AccountHandler)).Select(c => (AccountChanged)c.Payload).Where(p => p.AccountId == account).Select(p => p.Seq)];
}
