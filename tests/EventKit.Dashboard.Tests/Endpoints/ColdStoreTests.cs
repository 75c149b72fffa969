using System.Net;
using EventKit.Dashboard.Internal.Data;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>
/// The pages of a large store just after the application started, simulated by operations whose aggregates are held
/// until released (<see cref="BlockingOperations"/>): no page waits for them longer than the policy's FirstWait (on the
/// fake clock), the sections say they are being computed and the page refreshes itself, and the application's start
/// warms the overview's aggregates up.
/// </summary>
public sealed class ColdStoreTests
{
    private static readonly AggregatePolicy KeepEverything = new(TimeSpan.Zero, TimeSpan.FromSeconds(10), 20, TimeSpan.FromMinutes(15));

    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("/", "section[aria-labelledby=statuses]")]
    [InlineData("/dead-letters", "#section-dead_letter")]
    [InlineData("/types", "section[aria-labelledby=handlers]")]
    public async Task AggregatePage_WhileTheStoreIsComputing_AnswersAfterFirstWait_SayingSo_ThenShowsTheValues(string path, string section)
    {
        var blocking = new BlockingOperations { BlockLists = true };
        await using var host = await StartAsync(blocking, KeepEverything);
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent("invoice.paid"), "boom");
        await blocking.Started.WaitAsync(Guard);

        var computing = await AdvanceUntilAnsweredAsync(host, host.PageAsync(DashboardHost.Base + path));
        blocking.Release();
        var computed = await host.PageAsync(DashboardHost.Base + path).WaitAsync(Guard);

        computing.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        var placeholder = computing.Document.QuerySelector($"{section} .computing");
        placeholder.Should().NotBeNull("the section the store is still computing says so");
        placeholder!.TextContent.Should().Contain("Computing…").And.Contain("started at").And.Contain("this page refreshes itself");
        DateTimeOffset.Parse(placeholder.QuerySelector("time")!.GetAttribute("datetime")!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeOnOrAfter(DashboardHost.Epoch).And.BeOnOrBefore(host.Time.GetUtcNow(), "when the computation started");
        placeholder.GetAttribute("data-reload-seconds").Should().Be("3", "dashboard.js reloads the page (or the overview's region)");
        computing.ShouldHaveNoActiveContentButOurs();
        computed.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        computed.Document.QuerySelectorAll(".computing").Should().BeEmpty("the computation went on, and its values serve the next request");
    }

    [Fact]
    public async Task Overview_WhileTheStoreIsComputing_KeepsThePlaceholderInTheRefreshedRegion_AndShowsTheLiveSections()
    {
        var blocking = new BlockingOperations();
        await using var host = await StartAsync(blocking, AggregatePolicy.Default);
        await blocking.Started.WaitAsync(Guard);

        var page = await AdvanceUntilAnsweredAsync(host, host.PageAsync(DashboardHost.Base + "/"));

        page.Document.QuerySelectorAll("#refresh-region .computing").Should().HaveCount(4, "counts, backlog, throughput and types are being computed");
        page.Document.QuerySelector("#processors").Should().NotBeNull("the processors are read live, not computed");
        page.Document.QuerySelector(".computing time")!.GetAttribute("datetime").Should().Be("2026-11-30T12:00:00.0000000+00:00", "the application's start began computing them");
    }

    [Fact]
    public async Task ApplicationStart_ComputesTheOverviewsAggregates_SoTheFirstRequestFindsThemReady()
    {
        var blocking = new BlockingOperations();
        await using var host = await StartAsync(blocking, KeepEverything);
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent("invoice.paid"), "boom");

        await blocking.Started.WaitAsync(Guard);
        blocking.Release();
        var overview = await host.PageAsync(DashboardHost.Base + "/").WaitAsync(Guard);

        overview.Document.QuerySelectorAll(".computing").Should().BeEmpty();
        overview.Document.QuerySelector("[data-status=dead_letter]")!.TextContent.Should().Be("1");
        overview.Document.QuerySelectorAll(".as-of").Should().NotBeEmpty("the page is served what the start computed");
        blocking.Calls.Should().Be(4, "the start asked for counts, oldest pending age, timeline and type statistics once, and the request asked for nothing more");
    }

    [Fact]
    public async Task ApplicationStart_WarmUpFails_IsLogged_AndThePagesStillWork()
    {
        var blocking = new BlockingOperations { FailFirst = true };
        blocking.Release();
        await using var host = await StartAsync(blocking, AggregatePolicy.Default);

        var logged = await host.Logs.FirstAsync(3007).WaitAsync(Guard);
        var overview = await host.PageAsync(DashboardHost.Base + "/").WaitAsync(Guard);

        logged.Should().Contain("warm up");
        host.Logs.Messages(3006).Should().NotBeEmpty("the failed computation is logged with its key");
        overview.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        overview.Document.QuerySelectorAll(".computing").Should().BeEmpty();
        overview.Document.QuerySelector("[data-status=dead_letter]")!.TextContent.Should().Be("0");
    }

    [Fact]
    public async Task ApplicationStop_CancelsTheWarmUp()
    {
        var blocking = new BlockingOperations();
        var host = await StartAsync(blocking, AggregatePolicy.Default);
        await blocking.Started.WaitAsync(Guard);

        await host.DisposeAsync();

        await blocking.Cancelled.WaitAsync(Guard);
    }

    /// <summary>
    /// The bulk confirmation of a status alone counts with the store's counts per status: while the store computes them
    /// it shows "Computing…" and offers no action (the operator confirms only a count), then the count once it is there.
    /// </summary>
    [Fact]
    public async Task BulkConfirmation_WhileTheStoreIsComputingCounts_ShowsComputing_WithoutTheAction_ThenTheCount()
    {
        var blocking = new BlockingOperations();
        await using var host = await StartAsync(blocking, AggregatePolicy.Default);
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent("invoice.paid"), "boom");
        await blocking.Started.WaitAsync(Guard);
        const string Path = DashboardHost.Base + "/bulk?op=requeue&status=dead_letter";

        var computing = await AdvanceUntilAnsweredAsync(host, host.PageAsync(Path));
        blocking.Release();
        var counted = await host.PageAsync(Path).WaitAsync(Guard);

        computing.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        computing.Document.QuerySelector(".computing").Should().NotBeNull();
        computing.Form("/bulk/requeue").Should().BeNull("nothing is offered before the operator has seen how many it changes");
        counted.Document.QuerySelector("#match-count")!.GetAttribute("data-count").Should().Be("1");
        counted.Form("/bulk/requeue").Should().NotBeNull();
    }

    private static Task<DashboardHost> StartAsync(BlockingOperations blocking, AggregatePolicy policy) =>
        DashboardHost.StartAsync(services: s =>
        {
            s.AddSingleton(policy);
            blocking.Register(s);
        });

    /// <summary>
    /// Advances the fake clock in steps until <paramref name="request"/> is answered: the request waits FirstWait on the
    /// application's clock, which moves only when the test moves it (a request that waited for the computation itself
    /// would never be answered, and the guard fails the test).
    /// </summary>
    private static async Task<HtmlPage> AdvanceUntilAnsweredAsync(DashboardHost host, Task<HtmlPage> request)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!request.IsCompleted && !guard.IsCancellationRequested)
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Yield();
        }

        return await request.WaitAsync(guard.Token);
    }
}
