using System.Net;
using FluentAssertions;

namespace EventKit.Dashboard.Tests.Endpoints;

public sealed class ActionsTests
{
    [Fact]
    public async Task Requeue_FromEventPage_RequeuesAndRecordsTheSignedInUser()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var response = await host.SubmitAsync($"{DashboardHost.Base}/events/{id}", "/requeue", "alice", ("reason", "fixed the gateway"));

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        response.Headers.Location!.ToString().Should().Be($"{DashboardHost.Base}/events/{id}?notice=requeued");
        var details = (await host.Operations.GetEventAsync(id))!;
        details.Event.Status.Should().Be(EventStatus.Pending);
        details.Log.Should().ContainSingle(e => e.Kind == EventLogKind.Requeue)
            .Which.Should().BeEquivalentTo(new { Actor = "alice", Reason = "fixed the gateway" });
        var after = await host.PageAsync(response.Headers.Location!.ToString());
        after.Document.QuerySelector(".notice")!.TextContent.Should().StartWith("Requeued");
        var entry = after.Document.QuerySelector("ol.timeline li.operator")!;
        entry.GetAttribute("data-kind").Should().Be("requeue");
        entry.QuerySelector(".performed-by")!.TextContent.Should().Be("alice");
        entry.QuerySelector(".reason")!.TextContent.Should().Be("fixed the gateway");
    }

    [Fact]
    public async Task Requeue_AnonymousWithoutReason_IsRecordedWithTheAddressAndTheDefaultReason()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        await host.SubmitAsync($"{DashboardHost.Base}/events/{id}", "/requeue", null, ("reason", "   "));

        (await host.Operations.GetEventAsync(id))!.Log.Should().ContainSingle(e => e.Kind == EventLogKind.Requeue)
            .Which.Should().BeEquivalentTo(new { Actor = "anonymous@127.0.0.1", Reason = "via dashboard" });
    }

    [Fact]
    public async Task Requeue_FromDeadLetterPage_ReturnsThere()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = await host.Seed.DeadLetterAsync(host.Seed.NewEvent());

        var request = await host.SubmitAsync($"{DashboardHost.Base}/events/{id}", "/requeue", null, ("return", "dead-letters"));

        request.Headers.Location!.ToString().Should().Be($"{DashboardHost.Base}/dead-letters?notice=requeued");
    }

    [Fact]
    public async Task BulkRequeue_ConfirmationShowsTheMatchCount_ThenRequeuesThem()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Seed.SettledAsync(EventStatus.DeadLetter, Enumerable.Range(0, 7).Select(_ => host.Seed.NewEvent("invoice.paid")).ToList());
        var other = await host.Seed.DeadLetterAsync(host.Seed.NewEvent("user.created"));

        var list = await host.PageAsync($"{DashboardHost.Base}/dead-letters");
        var link = list.Document.QuerySelectorAll("#groups-dead_letter a.btn").Select(a => a.GetAttribute("href")!)
            .Should().Contain(h => h.Contains("op=requeue") && h.Contains("type=invoice.paid")).Which;
        var confirm = await host.PageAsync(link);
        confirm.Document.QuerySelector("#match-count")!.GetAttribute("data-count").Should().Be("7");
        confirm.Document.QuerySelector("#match-count")!.TextContent.Should().Be("7");

        var response = await host.SubmitAsync(link, "/bulk/requeue", "alice");

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        response.Headers.Location!.ToString().Should().Contain("notice=bulk-requeue").And.Contain("count=7");
        response.Headers.Location!.ToString().Should().Contain("counted=7");
        (await host.Operations.GetMetricsAsync()).Pending.Should().Be(7);
        (await host.Operations.GetEventAsync(other))!.Event.Status.Should().Be(EventStatus.DeadLetter, "another type");
        var requeued = await host.Operations.GetEventsAsync(new EventFilter { Type = "invoice.paid" });
        foreach (var record in requeued.Events)
        {
            (await host.Operations.GetEventAsync(record.Id))!.Log.Should().ContainSingle(e => e.Kind == EventLogKind.Requeue)
                .Which.Should().BeEquivalentTo(new { Actor = "alice", Reason = "via dashboard" });
        }

        var done = await host.PageAsync(response.Headers.Location!.ToString());
        done.Document.QuerySelector(".notice")!.TextContent.Should().Be("Requeued 7 event(s): they are pending and run again.");
    }

    [Fact]
    public async Task BulkPurge_ConfirmationShowsTheMatchCount_ThenDeletesThem()
    {
        await using var host = await DashboardHost.StartAsync();
        var ids = await host.Seed.SettledAsync(EventStatus.DeadLetter, Enumerable.Range(0, 3).Select(_ => host.Seed.NewEvent()).ToList());
        var kept = await host.Seed.CompletedAsync(host.Seed.NewEvent());
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var link = $"{DashboardHost.Base}/bulk?op=purge&status=dead_letter";

        var confirm = await host.PageAsync(link);
        confirm.Document.QuerySelector("#match-count")!.GetAttribute("data-count").Should().Be("3");
        var response = await host.SubmitAsync(link, "/bulk/purge", "alice", ("reason", "test data"));

        response.Headers.Location!.ToString().Should().Contain("notice=bulk-purge").And.Contain("count=3");
        host.Logs.Messages(1031).Should().ContainSingle().Which.Should().Contain("alice").And.Contain("3", "EventKit logs the purge with who did it");
        foreach (var id in ids)
        {
            (await host.Operations.GetEventAsync(id)).Should().BeNull();
        }

        (await host.Operations.GetEventAsync(kept)).Should().NotBeNull();
    }

    [Theory]
    [InlineData("/bulk?op=requeue")]
    [InlineData("/bulk?op=requeue&status=completed")]
    [InlineData("/bulk?op=delete&status=dead_letter")]
    [InlineData("/bulk?op=requeue&status=nonsense")]
    [InlineData("/events?from=yesterday")]
    [InlineData("/events?status=dead_letter&after=not-a-token")]
    [InlineData("/events?id=not-a-guid")]
    public async Task BadRequest_IsAnswered400WithTheReason(string path)
    {
        await using var host = await DashboardHost.StartAsync();

        var page = await host.PageAsync(DashboardHost.Base + path);

        page.Response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (page.Document.QuerySelector(".message") ?? page.Document.QuerySelector(".notice.warn"))!.TextContent.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Lookup_EventId_RedirectsToTheEvent()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = Guid.CreateVersion7();

        var response = await host.GetAsync($"{DashboardHost.Base}/events?id=%20{id}%20");

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        response.Headers.Location!.ToString().Should().Be($"{DashboardHost.Base}/events/{id}");
        (await host.GetAsync(response.Headers.Location!.ToString())).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
