using FluentAssertions;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>The operations API (#14): queries, audited admin actions, pauses, processor heartbeats, on every store.</summary>
public abstract partial class StoreContractTests
{
    private const string Operator = "ana@ops";

    // ---- Queries ------------------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task GetEvents_PagesByKeyset_InEitherOrder_WithTiesBrokenById()
    {
        await using var app = CreateApp();
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await app.PublishAsync(NewUser($"U{i}")));
            if (i % 2 == 1)
            {
                app.Time.Advance(TimeSpan.FromSeconds(1)); // pairs share a creation time: the id orders them
            }
        }

        await app.PublishAsync(new InvoicePaid(1, 10m));
        var records = await Task.WhenAll(ids.Select(app.GetAsync));
        var expected = records.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id.ToString()).Select(r => r.Id).ToList();
        var filter = new EventFilter { Type = "user.created" };

        (await PageAllAsync(app, filter, EventOrder.OldestFirst, 3)).Should().Equal(expected);
        (await PageAllAsync(app, filter, EventOrder.NewestFirst, 2)).Should().Equal(Enumerable.Reverse(expected));
        (await PageAllAsync(app, null, EventOrder.OldestFirst, 100)).Should().HaveCount(8);
    }

    [SkippableFact]
    public async Task GetEvents_FiltersByStatusTypeEntityAndCreationRange()
    {
        await using var app = CreateApp();
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("no"));
        var ana = NewUser("Ana");
        var dead = await app.PublishAsync(ana);
        await app.DrainAsync();
        app.Probe.Heal(nameof(WelcomeEmailHandler));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var later = await app.PublishAsync(NewUser("Bea"));
        var test = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "t-1", new { data = "x" }));

        async Task<IEnumerable<Guid>> Ids(EventFilter f) => (await app.Operations.GetEventsAsync(f)).Events.Select(e => e.Id);

        (await Ids(new EventFilter { Status = EventStatus.DeadLetter })).Should().Equal(dead);
        (await Ids(new EventFilter { Status = EventStatus.Pending })).Should().BeEquivalentTo([later, test]);
        (await Ids(new EventFilter { Entity = "user", EntityId = ana.UserId.ToString() })).Should().Equal(dead);
        (await Ids(new EventFilter { Entity = "test" })).Should().Equal(test);
        (await Ids(new EventFilter { CreatedFrom = TestApp.Start.AddSeconds(30) })).Should().BeEquivalentTo([later, test]);
        (await Ids(new EventFilter { CreatedBefore = TestApp.Start.AddSeconds(30) })).Should().Equal(dead);
        (await Ids(new EventFilter { Type = "user.created", Status = EventStatus.Pending })).Should().Equal(later);
    }

    [SkippableFact]
    public async Task GetEvents_BadArguments_ThrowNamingTheArgument()
    {
        await using var app = CreateApp();
        for (var i = 0; i < 3; i++)
        {
            await app.PublishAsync(NewUser($"U{i}"));
        }

        var page = await app.Operations.GetEventsAsync(new EventFilter { Type = "user.created" }, pageSize: 1);
        page.ContinuationToken.Should().NotBeNull();

        var other = () => app.Operations.GetEventsAsync(new EventFilter { Type = "test.event" }, pageSize: 1, continuationToken: page.ContinuationToken);
        (await other.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("continuationToken");
        var reversed = () => app.Operations.GetEventsAsync(new EventFilter { Type = "user.created" }, EventOrder.OldestFirst, 1, page.ContinuationToken);
        (await reversed.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("continuationToken");
        var garbage = () => app.Operations.GetEventsAsync(continuationToken: "not-a-token");
        (await garbage.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("continuationToken");
        var idWithoutEntity = () => app.Operations.GetEventsAsync(new EventFilter { EntityId = "1" });
        (await idWithoutEntity.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("EntityId requires EventFilter.Entity");
        var status = () => app.Operations.GetEventsAsync(new EventFilter { Status = (EventStatus)42 });
        (await status.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Allowed values: Pending, Processing, Completed, Failed, DeadLetter, Cancelled");
        var size = () => app.Operations.GetEventsAsync(pageSize: 0);
        (await size.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("pageSize");
    }

    [SkippableFact]
    public async Task Timeline_CountsPerMinute_InTheStore()
    {
        await using var app = CreateApp(o => o.MaxAttempts = 2);
        await app.PublishAsync(NewUser("A"));                              // created 09:00:00
        app.Time.Advance(TimeSpan.FromSeconds(30));
        await app.DrainAsync();                                            // completed 09:00:30
        app.Time.Advance(TimeSpan.FromSeconds(40));
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var failing = await app.PublishAsync(NewUser("B"));                // created 09:01:10
        await app.DrainAsync();                                            // failed attempt 1 at 09:01:10
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.DrainAsync();                                            // failed attempt 2, dead-lettered at 09:02:10
        var cancelled = await app.PublishAsync(NewUser("C"), new PublishOptions { AvailableAt = app.Time.GetUtcNow().AddHours(1) });
        (await app.Operations.CancelAsync(cancelled, Operator, "not needed")).Should().BeTrue(); // created and cancelled 09:02:10
        (await app.GetAsync(failing)).Status.Should().Be(EventStatus.DeadLetter);

        var timeline = await app.Operations.GetTimelineAsync(TestApp.Start.AddSeconds(5), TestApp.Start.AddMinutes(3).AddSeconds(1), EventTimelineInterval.Minute);

        timeline.Select(b => (b.Start, b.Created, b.Completed, b.Failed, b.DeadLettered, b.Cancelled)).Should().Equal(
            (TestApp.Start, 1L, 1L, 0L, 0L, 0L),
            (TestApp.Start.AddMinutes(1), 1L, 0L, 1L, 0L, 0L),
            (TestApp.Start.AddMinutes(2), 1L, 0L, 1L, 1L, 1L),
            (TestApp.Start.AddMinutes(3), 0L, 0L, 0L, 0L, 0L));
        (await app.Operations.GetTimelineAsync(TestApp.Start, TestApp.Start.AddDays(1), EventTimelineInterval.Hour)).Should().HaveCount(24)
            .And.Subject.First().Created.Should().Be(3);
        var tooMany = () => app.Operations.GetTimelineAsync(TestApp.Start, TestApp.Start.AddDays(30), EventTimelineInterval.Minute);
        (await tooMany.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("before");
        var undefined = () => app.Operations.GetTimelineAsync(TestApp.Start, TestApp.Start.AddDays(1), (EventTimelineInterval)9);
        (await undefined.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Allowed values: Minute, Hour, Day");
    }

    [SkippableFact]
    public async Task TypeStatistics_CountAverageP95AndFailureRate_HandlerStatistics_RunsAndFailures()
    {
        await using var app = CreateApp();
        foreach (var seconds in new[] { 1, 2, 10 })
        {
            await app.PublishAsync(NewUser($"U{seconds}"));
            app.Time.Advance(TimeSpan.FromSeconds(seconds));
            await app.DrainAsync();
        }

        app.Probe.FailTimes(nameof(WelcomeEmailHandler), 1);
        await app.PublishAsync(NewUser("F"));
        await app.DrainAsync();                                       // one failed run: retried later
        await app.PublishAsync(p => p.PublishAsync("test.event", "test", "1", new { data = "x" }));
        await app.DrainAsync();
        var before = app.Time.GetUtcNow().AddSeconds(1);

        var types = await app.Operations.GetTypeStatisticsAsync(TestApp.Start, before);

        types.Select(t => t.Type).Should().Equal("test.event", "user.created");
        var users = types[1];
        users.Count.Should().Be(4);
        users.Completed.Should().Be(3);
        users.Failed.Should().Be(1);
        users.FailureRate.Should().Be(0.25);
        users.AverageProcessingTime.Should().Be(TimeSpan.FromMilliseconds(4333));
        users.P95ProcessingTime.Should().Be(TimeSpan.FromSeconds(10), "nearest rank: the smallest time at least 95 % of them do not exceed");
        types[0].Should().BeEquivalentTo(new { Count = 1L, Completed = 1L, Failed = 0L, AverageProcessingTime = TimeSpan.Zero });

        var handlers = await app.Operations.GetHandlerStatisticsAsync(TestApp.Start, before);
        handlers.Select(h => (h.Handler, h.Runs, h.Failures)).Should().Equal((nameof(TestEventHandler), 1L, 0L), (nameof(WelcomeEmailHandler), 4L, 1L));
        handlers.Should().OnlyContain(h => h.AverageDuration >= TimeSpan.Zero);
        (await app.Operations.GetHandlerStatisticsAsync(before, before.AddDays(1))).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task OldestPendingAge_IsHowLongTheOldestRunnableEventWaited()
    {
        await using var app = CreateApp();
        (await app.Operations.GetOldestPendingAgeAsync()).Should().BeNull();
        await app.PublishAsync(NewUser());
        app.Time.Advance(TimeSpan.FromMinutes(5));

        (await app.Operations.GetOldestPendingAgeAsync()).Should().Be(TimeSpan.FromMinutes(5));
    }

    [SkippableFact]
    public async Task Processors_Heartbeats_AreListed_UntilGoneOrRemoved()
    {
        await using var app = CreateApp(o => o.ProcessorHeartbeatInterval = TimeSpan.FromSeconds(10));
        var now = app.Time.GetUtcNow();
        await app.WithStoreAsync(async s =>
        {
            await s.RecordProcessorAsync(new EventProcessorInfo { Id = "old", Host = "h1", StartedAt = now.AddMinutes(-10), LastSeenAt = now.AddMinutes(-1), InFlight = 0 }, now.AddSeconds(-30));
            await s.RecordProcessorAsync(new EventProcessorInfo { Id = "p1", Host = "h1", StartedAt = now, LastSeenAt = now, InFlight = 3 }, now.AddSeconds(-30));
            return true;
        });

        var alive = await app.Operations.GetProcessorsAsync();
        alive.Should().ContainSingle().Which.Should().BeEquivalentTo(new EventProcessorInfo { Id = "p1", Host = "h1", StartedAt = now, LastSeenAt = now, InFlight = 3 });

        app.Time.Advance(TimeSpan.FromSeconds(31));
        (await app.Operations.GetProcessorsAsync()).Should().BeEmpty("not seen for three intervals");
        await app.WithStoreAsync(async s =>
        {
            await s.RecordProcessorAsync(new EventProcessorInfo { Id = "p1", Host = "h1", StartedAt = now, LastSeenAt = app.Time.GetUtcNow(), InFlight = 0 }, app.Time.GetUtcNow().AddSeconds(-30));
            await s.RemoveProcessorAsync("p1");
            return true;
        });
        (await app.Operations.GetProcessorsAsync()).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task RunningProcessor_RecordsItsHeartbeat_AndRemovesItOnStop()
    {
        await using var app = CreateApp();
        using var stopping = new CancellationTokenSource();
        var processor = app.CreateProcessor("proc-a");

        var run = processor.RunAsync(stopping.Token);
        await WaitUntilAsync(async () => (await app.Operations.GetProcessorsAsync()).Count == 1);
        var info = (await app.Operations.GetProcessorsAsync()).Single();
        info.Id.Should().Be("proc-a");
        info.Host.Should().Be(Environment.MachineName);
        info.StartedAt.Should().Be(TestApp.Start);

        await stopping.CancelAsync();
        await run.WaitAsync(Wait);
        (await app.Operations.GetProcessorsAsync()).Should().BeEmpty("a processor that stops deletes its row");
    }

    private static async Task<List<Guid>> PageAllAsync(TestApp app, EventFilter? filter, EventOrder order, int pageSize)
    {
        var ids = new List<Guid>();
        string? token = null;
        do
        {
            var page = await app.Operations.GetEventsAsync(filter, order, pageSize, token);
            page.Events.Count.Should().BeLessThanOrEqualTo(pageSize);
            ids.AddRange(page.Events.Select(e => e.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);

        return ids;
    }
}
