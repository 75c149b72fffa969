using EventKit.Dashboard.Internal.Data;
using EventKit.Dashboard.Tests.Endpoints;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;

namespace EventKit.Dashboard.Tests.Data;

/// <summary>
/// The dashboard's stale-while-revalidate cache of store-wide aggregates, on a fake clock: a computation "costs" what
/// it advances the clock by, so a slow store is simulated exactly.
/// </summary>
public sealed class AggregateCacheTests
{
    // Requests wait for a first computation as long as it takes, unless a test says otherwise (FirstWait has its own tests).
    private static readonly AggregatePolicy Policy = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), CostFactor: 20, TimeSpan.FromMinutes(15))
    {
        FirstWait = Timeout.InfiniteTimeSpan,
    };

    private readonly FakeTimeProvider _time = new(DashboardHost.Epoch);
    private readonly LogSink _logs = new();
    private int _computations;

    private AggregateCache NewCache(AggregatePolicy? policy = null) => new(_time, policy ?? Policy, _logs.CreateLogger("test"), CancellationToken.None);

    /// <summary>A computation that takes <paramref name="cost"/> of the fake clock and returns how many ran so far.</summary>
    private Func<CancellationToken, Task<int>> Costing(TimeSpan cost) => _ =>
    {
        _time.Advance(cost);
        return Task.FromResult(Interlocked.Increment(ref _computations));
    };

    [Fact]
    public async Task GetAsync_FastComputation_IsAskedForEveryTime()
    {
        var cache = NewCache();

        var first = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(99)), default);
        var second = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(99)), default);

        (first.Value, first.Kept).Should().Be((1, false));
        (second.Value, second.Kept).Should().Be((2, false), "a small store shows live numbers");
    }

    [Fact]
    public async Task GetAsync_SlowComputation_IsKeptAndServedWithItsTime_UntilItIsDue()
    {
        var cache = NewCache();
        var first = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);
        _time.Advance(TimeSpan.FromSeconds(9));

        var second = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);

        (first.Value, first.Kept, first.AsOf).Should().Be((1, false, DashboardHost.Epoch));
        (second.Value, second.Kept, second.AsOf).Should().Be((1, true, DashboardHost.Epoch), "the value is kept, with when it was computed");
        await cache.RefreshOf("k");
        _computations.Should().Be(1, "nothing is refreshed before the interval");
    }

    [Fact]
    public async Task GetAsync_KeptValueDue_IsServedAtOnce_WhileOneRefreshRuns_ThenTheNewValue()
    {
        var cache = NewCache();
        await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);
        _time.Advance(TimeSpan.FromSeconds(10));
        var gate = new TaskCompletionSource();
        Func<CancellationToken, Task<int>> blocked = async _ =>
        {
            await gate.Task;
            _time.Advance(TimeSpan.FromMilliseconds(150));
            return Interlocked.Increment(ref _computations);
        };

        var stale = await cache.GetAsync("k", blocked, default);
        var alsoStale = await cache.GetAsync("k", blocked, default);
        gate.SetResult();
        await cache.RefreshOf("k");
        var fresh = await cache.GetAsync("k", blocked, default);

        (stale.Value, stale.Kept).Should().Be((1, true), "no request waits for the refresh");
        alsoStale.Value.Should().Be(1);
        _computations.Should().Be(2, "one refresh at a time, however many requests ask");
        (fresh.Value, fresh.Kept, fresh.AsOf).Should().Be((2, true, DashboardHost.Epoch + TimeSpan.FromMilliseconds(150) + TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task GetAsync_CostlyComputation_IsRefreshedAtMostOnceEveryTwentyCosts()
    {
        var cache = NewCache();
        await cache.GetAsync("k", Costing(TimeSpan.FromSeconds(2)), default);
        _time.Advance(TimeSpan.FromSeconds(8)); // 10 s after it started: the first value is due (see the next test)
        await cache.GetAsync("k", Costing(TimeSpan.FromSeconds(2)), default);
        await cache.RefreshOf("k");
        _computations.Should().Be(2);

        _time.Advance(TimeSpan.FromSeconds(37)); // 39 s after the refresh started
        await cache.GetAsync("k", Costing(TimeSpan.FromSeconds(2)), default);
        await cache.RefreshOf("k");
        _computations.Should().Be(2, "a 2 s aggregate is refreshed every 40 s, not every 10 s");

        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.GetAsync("k", Costing(TimeSpan.FromSeconds(2)), default);
        await cache.RefreshOf("k");

        _computations.Should().Be(3);
    }

    [Fact]
    public async Task GetAsync_FirstComputation_IsRefreshedAfterTheInterval_WhateverItCost_ThenLiveWhenFast()
    {
        var cache = NewCache();
        await cache.WarmAsync("k", Costing(TimeSpan.FromSeconds(3))); // a cold start on a busy machine: 60 s by its cost
        _time.Advance(TimeSpan.FromSeconds(6));
        var beforeInterval = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(20)), default);
        await cache.RefreshOf("k");
        _time.Advance(TimeSpan.FromSeconds(1)); // 10 s after it started

        var due = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(20)), default);
        await cache.RefreshOf("k");
        var live = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(20)), default);

        (beforeInterval.Value, beforeInterval.Kept).Should().Be((1, true));
        (due.Value, due.Kept).Should().Be((1, true), "the kept value is served while its refresh runs");
        (live.Value, live.Kept).Should().Be((3, false), "the refresh took 20 ms: a small store shows live numbers from then on, not the start's count for a minute");
    }

    [Fact]
    public async Task Invalidate_MakesTheNextRequestStartARefresh()
    {
        var cache = NewCache();
        await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);

        cache.Invalidate();
        var served = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);
        await cache.RefreshOf("k");
        var after = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);

        served.Value.Should().Be(1, "the kept value is served while the refresh runs");
        after.Value.Should().Be(2, "an action through the dashboard refreshes the aggregates at once, not after the interval");
    }

    [Fact]
    public async Task GetAsync_RefreshFails_KeepsTheValue_LogsIt_AndTheNextDueRequestTriesAgain()
    {
        var cache = NewCache();
        await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);
        _time.Advance(TimeSpan.FromSeconds(10));

        var served = await cache.GetAsync<int>("k", _ => throw new InvalidOperationException("database is down"), default);
        await cache.RefreshOf("k");
        var retried = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);
        await cache.RefreshOf("k");
        var after = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);

        served.Value.Should().Be(1);
        retried.Value.Should().Be(1);
        after.Value.Should().Be(2);
        _logs.Messages(3005).Should().ContainSingle().Which.Should().Contain("k");
    }

    [Fact]
    public async Task GetAsync_KeptValuePastMaxAge_IsComputedByTheRequest()
    {
        var cache = NewCache();
        await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);
        _time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        var served = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);

        (served.Value, served.Kept).Should().Be((2, false), "a value that old is not shown: refreshes kept failing");
    }

    [Fact]
    public async Task GetAsync_RequestsWhileNothingIsKept_ShareOneComputation_WhichOutlivesARequestThatLeaves()
    {
        var cache = NewCache();
        var gate = new TaskCompletionSource();
        Func<CancellationToken, Task<int>> slow = async _ =>
        {
            await gate.Task;
            _time.Advance(TimeSpan.FromMilliseconds(150));
            return Interlocked.Increment(ref _computations);
        };
        using var leaving = new CancellationTokenSource();

        var first = cache.GetAsync("k", slow, leaving.Token);
        var second = cache.GetAsync("k", slow, default);
        await leaving.CancelAsync();
        gate.SetResult();

        await first.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        (await second).Value.Should().Be(1);
        _computations.Should().Be(1, "a cold large store is asked once, however many requests wait");
        (await cache.GetAsync("k", slow, default)).Kept.Should().BeTrue("the computation the leaving request started still serves the next one");
    }

    [Fact]
    public async Task GetAsync_KeysAreKeptApart()
    {
        var cache = NewCache();
        await cache.GetAsync("a", Costing(TimeSpan.FromMilliseconds(150)), default);

        var other = await cache.GetAsync("b", Costing(TimeSpan.FromMilliseconds(150)), default);

        (other.Value, other.Kept).Should().Be((2, false));
    }

    [Fact]
    public async Task GetAsync_FirstComputationSlowerThanFirstWait_AnswersComputing_WithItsStart_AndTheNextRequestGetsTheValue()
    {
        var cache = NewCache(Policy with { FirstWait = TimeSpan.FromMilliseconds(150) });
        var gate = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        Func<CancellationToken, Task<int>> blocked = async _ =>
        {
            started.TrySetResult();
            await gate.Task;
            return Interlocked.Increment(ref _computations);
        };

        var first = cache.GetAsync("k", blocked, default);
        await started.Task;
        _time.Advance(TimeSpan.FromMilliseconds(149));
        var waitedLessThanFirstWait = first.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var answered = await first;
        var second = cache.GetAsync("k", blocked, default);
        _time.Advance(TimeSpan.FromMilliseconds(150));
        var answeredToo = await second;
        gate.SetResult();
        await cache.WarmAsync("k", blocked);
        var computed = await cache.GetAsync("k", blocked, default);

        waitedLessThanFirstWait.Should().BeFalse("a request waits up to FirstWait");
        (answered.Computing, answered.AsOf).Should().Be((true, DashboardHost.Epoch), "the page says when the computation started");
        (answeredToo.Computing, answeredToo.AsOf).Should().Be((true, DashboardHost.Epoch), "the next request joins the computation under way");
        (computed.Value, computed.Computing, computed.Kept).Should().Be((1, false, true), "the computation went on after the requests stopped waiting (300 ms: kept)");
        _computations.Should().Be(1, "one computation, however many requests gave up on it");
    }

    [Fact]
    public async Task GetAsync_FirstComputationWithinFirstWait_AnswersTheValue()
    {
        var cache = NewCache(Policy with { FirstWait = TimeSpan.FromMilliseconds(150) });

        var served = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(99)), default);

        (served.Value, served.Computing, served.Kept).Should().Be((1, false, false));
    }

    [Fact]
    public async Task WarmAsync_ComputesAndKeepsASlowValue_AFailureIsLoggedAndThrown()
    {
        var cache = NewCache();

        await cache.WarmAsync("k", Costing(TimeSpan.FromMilliseconds(150)));
        var served = await cache.GetAsync("k", Costing(TimeSpan.FromMilliseconds(150)), default);
        var failing = cache.WarmAsync<int>("other", _ => throw new InvalidOperationException("database is down"));

        (served.Value, served.Kept).Should().Be((1, true), "the warm-up's value serves the first request");
        await failing.Invoking(t => t).Should().ThrowAsync<InvalidOperationException>();
        _logs.Messages(3006).Should().ContainSingle().Which.Should().Contain("other");
    }
}
