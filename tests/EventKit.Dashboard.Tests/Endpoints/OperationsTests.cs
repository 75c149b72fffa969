using System.Net;
using EventKit.Dashboard.Internal.Data;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>
/// The pages and actions over the real operations API on the in-memory store: replay, cancel, pause and resume
/// recorded by EventKit with who and why, the store-wide overview (timeline, type statistics, processors of every
/// instance), every status listed, and the bulk confirmation's count (exact, capped, stale).
/// </summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task CompletedEvent_ReplayOneHandler_IsRecordedAndShownInTheTimeline()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = (await host.Seed.SettledAsync(EventStatus.Completed, [host.Seed.NewEvent()], handler: "Mailer"))[0];
        var path = $"{DashboardHost.Base}/events/{id}";

        var page = await host.PageAsync(path);
        page.Document.QuerySelectorAll("form[action$='/replay'] option").Select(o => o.GetAttribute("value")).Should().Equal("*", "Mailer");
        page.Form("/cancel").Should().BeNull("a completed event cannot be cancelled");
        page.Form("/requeue").Should().BeNull("a completed event is replayed, not requeued");
        var response = await host.SubmitAsync(path, "/replay", "alice", ("handler", "Mailer"), ("reason", "bug 42 fixed"));

        response.Headers.Location!.ToString().Should().EndWith("notice=replayed");
        var details = (await host.Operations.GetEventAsync(id))!;
        details.Event.Status.Should().Be(EventStatus.Pending);
        details.Log.Should().ContainSingle(e => e.Kind == EventLogKind.Replay)
            .Which.Should().BeEquivalentTo(new { Handler = "Mailer", Actor = "alice", Reason = "bug 42 fixed" });
        var after = await host.PageAsync(path);
        var entry = after.Document.QuerySelector("ol.timeline li.operator")!;
        entry.GetAttribute("data-kind").Should().Be("replay");
        entry.QuerySelector("code.action")!.TextContent.Should().Be("Mailer");
        entry.QuerySelector(".performed-by")!.TextContent.Should().Be("alice");
        entry.QuerySelector(".reason")!.TextContent.Should().Be("bug 42 fixed");
    }

    [Fact]
    public async Task CompletedEvent_ReplayAllHandlers_PassesNoHandler()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.CompletedAsync(host.Seed.NewEvent());

        await host.SubmitAsync($"{DashboardHost.Base}/events/{id}", "/replay", "alice", ("handler", "*"));

        (await host.Operations.GetEventAsync(id))!.Log.Should().ContainSingle(e => e.Kind == EventLogKind.Replay).Which.Handler.Should().Be(EventLogEntry.AllHandlers);
        var page = await host.PageAsync($"{DashboardHost.Base}/events/{id}");
        page.Document.QuerySelector("ol.timeline li.operator code.action")!.TextContent.Should().Be("all handlers");
    }

    [Theory]
    [InlineData(EventStatus.Pending)]
    [InlineData(EventStatus.Failed)]
    public async Task PendingOrFailedEvent_Cancel_IsRecordedAndListedAsCancelled(EventStatus status)
    {
        await using var host = await DashboardHost.StartAsync();
        var id = status == EventStatus.Pending
            ? await host.Seed.PendingAsync(host.Seed.NewEvent())
            : (await host.Seed.SettledAsync(EventStatus.Failed, [host.Seed.NewEvent()]))[0];

        var response = await host.SubmitAsync($"{DashboardHost.Base}/events/{id}", "/cancel", "bob");

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        response.Headers.Location!.ToString().Should().EndWith("notice=cancelled");
        var details = (await host.Operations.GetEventAsync(id))!;
        details.Event.Status.Should().Be(EventStatus.Cancelled);
        details.Log.Should().ContainSingle(e => e.Kind == EventLogKind.Cancel).Which.Should().BeEquivalentTo(new { Actor = "bob", Reason = "via dashboard" });
        var list = await host.PageAsync($"{DashboardHost.Base}/events?status=cancelled");
        list.Document.QuerySelectorAll("#events tbody tr").Select(r => r.GetAttribute("data-event-id")).Should().Equal(id.ToString());
    }

    [Fact]
    public async Task Action_NoLongerApplicable_SaysNothingChanged()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());
        var page = await host.PageAsync($"{DashboardHost.Base}/events/{id}", user: "alice");
        await host.Operations.RequeueAsync(id, "someone", "meanwhile");

        var response = await host.PostFormAsync(page, "/requeue", "alice");

        response.Headers.Location!.ToString().Should().EndWith("notice=unchanged");
        (await host.Operations.GetEventAsync(id))!.Log.Count(e => e.Kind == EventLogKind.Requeue).Should().Be(1);
    }

    [Fact]
    public async Task Types_PauseAndResume_GoThroughTheApiWithWhoAndWhy()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.CompletedAsync(host.Seed.NewEvent("invoice.paid"));
        var types = $"{DashboardHost.Base}/types";

        var pause = await host.SubmitAsync(types, "/types/pause", "carol", ("reason", "billing provider down"));

        pause.Headers.Location!.ToString().Should().Contain("notice=paused");
        (await host.Operations.GetPausesAsync()).Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { Type = "invoice.paid", Actor = "carol", Reason = "billing provider down" });
        var page = await host.PageAsync(types);
        var section = page.Document.QuerySelector("section[data-type='invoice.paid']")!;
        section.QuerySelector(".badge")!.TextContent.Should().Be("paused");
        section.QuerySelector("code")!.TextContent.Should().Be("invoice.paid");
        section.TextContent.Should().Contain("carol").And.Contain("billing provider down");

        await host.SubmitAsync(types, "/types/resume", "dave");

        (await host.Operations.GetPausesAsync()).Should().BeEmpty();
        host.Logs.Messages(1034).Should().ContainSingle().Which.Should().Contain("dave").And.Contain("invoice.paid");
    }

    [Fact]
    public async Task Types_AnyTypeByName_CanBePausedBeforeItsEventsArrive_AndABadNameIsRefused()
    {
        await using var host = await DashboardHost.StartAsync();

        await host.SubmitAsync($"{DashboardHost.Base}/types?type=order.shipped", "/types/pause", "alice");
        var tooLong = new string('t', 1000);
        var refused = await HtmlPage.ReadAsync(await host.SubmitAsync($"{DashboardHost.Base}/types?type={tooLong}", "/types/pause", "alice"));

        (await host.Operations.GetPausesAsync()).Select(p => p.Type).Should().Equal("order.shipped");
        refused.Response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        refused.Document.QuerySelector(".message")!.TextContent.Should().Contain("type", "the operations API's message names the argument");
    }

    [Fact]
    public async Task Types_HandlerStatistics_AreStoreWide()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.SettledAsync(EventStatus.Completed, [host.Seed.NewEvent(), host.Seed.NewEvent()], handler: "Mailer");
        await host.Seed.SettledAsync(EventStatus.DeadLetter, [host.Seed.NewEvent("invoice.paid")], handler: "Mailer");
        host.Time.Advance(TimeSpan.FromMinutes(1)); // the window ends now, exclusive: the runs ended a minute ago

        var page = await host.PageAsync($"{DashboardHost.Base}/types");

        var row = page.Document.QuerySelectorAll("table.handlers tbody tr").Should().ContainSingle().Which;
        row.QuerySelectorAll("td").Select(td => td.TextContent).Should().Equal("Mailer", "3", "1", "12 ms");
    }

    [Fact]
    public async Task Overview_TimelineTypesAndProcessors_ComeFromTheStore()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.SettledAsync(EventStatus.Completed, [host.Seed.NewEvent(), host.Seed.NewEvent()]);
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent());
        var now = host.Time.GetUtcNow();
        foreach (var (id, inFlight) in new[] { ("web-1/42", 3), ("worker-2/7", 4) })
        {
            await host.Store.RecordProcessorAsync(new EventProcessorInfo { Id = id, Host = id.Split('/')[0], StartedAt = now.AddHours(-1), LastSeenAt = now, InFlight = inFlight }, now.AddHours(-1));
        }

        var page = await host.PageAsync($"{DashboardHost.Base}/");

        page.Document.QuerySelectorAll("[data-metric=in-flight]").Select(e => e.TextContent).Should().Equal("3", "4");
        page.Document.QuerySelector("p.legend")!.TextContent.Should().Contain("created 3").And.Contain("completed 2").And.Contain("failed attempts 1 (dead-lettered 1)");
        page.Document.QuerySelectorAll("svg.columns rect").Should().NotBeEmpty();
        page.Html.Should().Contain("all instances").And.NotContain("this process");
        page.Document.QuerySelector("table.types tbody td:nth-child(2)")!.TextContent.Should().Be("3");
        page.Document.QuerySelector("table.types tbody td:nth-child(5)")!.TextContent.Should().Be("33.3 %");
    }

    [Fact]
    public async Task Events_EveryStatusListable_AnyStatusListsThemAll()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.PendingAsync(host.Seed.NewEvent());
        await host.Seed.CompletedAsync(host.Seed.NewEvent());
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var page = await host.PageAsync($"{DashboardHost.Base}/events");

        page.Document.QuerySelectorAll("#filter-status option").Select(o => o.TextContent).Should().Equal("any", "pending", "processing", "completed", "failed", "dead_letter", "cancelled");
        page.Document.QuerySelectorAll("#events tbody tr .badge").Select(b => b.TextContent).Should().BeEquivalentTo(["pending", "completed", "dead_letter"]);
    }

    [Fact]
    public async Task Events_TokenOfAnotherFilter_IsRefused()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.SettledAsync(EventStatus.DeadLetter, Enumerable.Range(0, 60).Select(_ => host.Seed.NewEvent()).ToList());
        var first = await host.PageAsync($"{DashboardHost.Base}/events?status=dead_letter");
        var next = first.Document.QuerySelector("#next-page")!.GetAttribute("href")!;

        var page = await host.PageAsync(next.Replace("status=dead_letter", "status=failed", StringComparison.Ordinal));

        page.Response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    /// <summary>Caps small enough to pass quickly (the defaults are 10,000).</summary>
    private static readonly DashboardLimits Small = new(MaxCounted: 20, MaxGrouped: 30);

    [Fact]
    public async Task BulkConfirmation_BeyondTheCountingCap_SaysMoreThan_AndTheActionDoesThemAll()
    {
        await using var host = await DashboardHost.StartAsync(services: s => s.AddSingleton(Small));
        var total = Small.MaxCounted + 1;
        await host.Seed.SettledAsync(EventStatus.DeadLetter, Enumerable.Range(0, total).Select(_ => host.Seed.NewEvent("bulk.type")).ToList());
        var byType = $"{DashboardHost.Base}/bulk?op=requeue&status=dead_letter&type=bulk.type";

        var capped = await host.PageAsync(byType);
        var exact = await host.PageAsync($"{DashboardHost.Base}/bulk?op=requeue&status=dead_letter");
        var response = await host.SubmitAsync(byType, "/bulk/requeue", "alice");

        capped.Document.QuerySelector("#match-count")!.TextContent.Should().Be("more than 20");
        capped.Document.QuerySelector("#match-count")!.GetAttribute("data-exact").Should().Be("false");
        exact.Document.QuerySelector("#match-count")!.TextContent.Should().Be("21", "one status alone is counted exactly by the store");
        response.Headers.Location!.ToString().Should().Contain("count=21").And.NotContain("counted=");
        (await host.Operations.GetMetricsAsync()).Pending.Should().Be(total);
    }

    [Fact]
    public async Task BulkAction_CountChangedAfterTheConfirmation_SaysBoth()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.SettledAsync(EventStatus.DeadLetter, [host.Seed.NewEvent("invoice.paid"), host.Seed.NewEvent("invoice.paid")]);
        var confirm = await host.PageAsync($"{DashboardHost.Base}/bulk?op=purge&status=dead_letter&type=invoice.paid", user: "alice");
        confirm.Document.QuerySelector("#match-count")!.TextContent.Should().Be("2");
        confirm.Document.QuerySelector("#counted-at")!.TextContent.Should().Contain("2026-11-30 12:00:00Z");
        await host.Seed.DeadLetterAsync(host.Seed.NewEvent("invoice.paid"));

        var response = await host.PostFormAsync(confirm, "/bulk/purge", "alice");

        var done = await host.PageAsync(response.Headers.Location!.ToString());
        done.Document.QuerySelector(".notice")!.TextContent.Should().Be("Purged 3 event(s) (the confirmation counted 2: events changed status in between).");
        (await host.Operations.GetMetricsAsync()).DeadLetters.Should().Be(0);
    }

    [Fact]
    public async Task DeadLetters_BeyondTheGroupingCap_SayWhatTheGroupsCover()
    {
        await using var host = await DashboardHost.StartAsync(services: s => s.AddSingleton(Small));
        await host.Seed.SettledAsync(EventStatus.DeadLetter, Enumerable.Range(0, Small.MaxGrouped + 1).Select(_ => host.Seed.NewEvent()).ToList());

        var page = await host.PageAsync($"{DashboardHost.Base}/dead-letters");

        page.Document.QuerySelector("#groups-scope-dead_letter")!.TextContent.Should().StartWith("Grouped from the newest 30 of 31");
        page.Document.QuerySelector("#groups-dead_letter td.num")!.TextContent.Should().Be("30");
    }
}
