using System.Collections.Concurrent;
using System.Net;
using EventKit.Dashboard.Internal.Data;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>
/// The pages against a data layer that can do everything the operations API of issue #14 offers (replay, cancel,
/// pause, every status listed, store-wide statistics): the forms appear, post what the operator chose, and record the
/// signed-in user as performedBy.
/// </summary>
public sealed class FullCapabilitiesTests
{
    private static readonly DateTimeOffset Now = DashboardHost.Epoch;

    [Fact]
    public async Task CompletedEvent_ReplayOneHandler_PostsHandlerUserAndReason()
    {
        var data = new FakeData();
        var completed = data.Add(EventStatus.Completed, ("Mailer", EventLogResult.Success), ("Audit", EventLogResult.Success));
        await using var host = await DashboardHost.StartAsync(services: s => s.AddSingleton<IDashboardData>(data));

        var page = await host.PageAsync($"{DashboardHost.Base}/events/{completed}");
        page.Document.QuerySelectorAll("form[action$='/replay'] option").Select(o => o.GetAttribute("value")).Should().Equal("*", "Mailer", "Audit");
        page.Form("/cancel").Should().BeNull("a completed event cannot be cancelled");
        var response = await host.SubmitAsync($"{DashboardHost.Base}/events/{completed}", "/replay", "alice", ("handler", "Audit"), ("reason", "bug 42 fixed"));

        response.Headers.Location!.ToString().Should().EndWith("notice=replayed");
        data.Calls.Should().Equal($"replay {completed} Audit by alice: bug 42 fixed");
    }

    [Fact]
    public async Task PendingEvent_Cancel_PostsUser()
    {
        var data = new FakeData();
        var pending = data.Add(EventStatus.Pending);
        await using var host = await DashboardHost.StartAsync(services: s => s.AddSingleton<IDashboardData>(data));

        var response = await host.SubmitAsync($"{DashboardHost.Base}/events/{pending}", "/cancel", "bob");

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        data.Calls.Should().Equal($"cancel {pending} by bob: ");
    }

    [Fact]
    public async Task Types_PauseAndResume_PostTheType()
    {
        var data = new FakeData();
        data.Pauses.Add(new TypePause("invoice.paid", "carol", "maintenance", Now));
        await using var host = await DashboardHost.StartAsync(services: s => s.AddSingleton<IDashboardData>(data));

        var page = await host.PageAsync($"{DashboardHost.Base}/types");
        page.Document.QuerySelector("section[data-type='invoice.paid'] .badge")!.TextContent.Should().Be("paused");
        page.Document.QuerySelector("section[data-type='invoice.paid'] table.handlers td")!.TextContent.Should().Be("Mailer");
        await host.SubmitAsync($"{DashboardHost.Base}/types?type=order.placed", "/types/pause", "alice");
        await host.SubmitAsync($"{DashboardHost.Base}/types?type=invoice.paid", "/types/resume", "alice");

        data.Calls.Should().Equal("pause order.placed by alice: ", "resume invoice.paid by alice: ");
    }

    [Fact]
    public async Task Overview_ShowsProcessorsTimelineAndStoreWideStatistics()
    {
        var data = new FakeData();
        await using var host = await DashboardHost.StartAsync(services: s => s.AddSingleton<IDashboardData>(data));

        var page = await host.PageAsync($"{DashboardHost.Base}/");

        page.Document.QuerySelector("[data-metric=in-flight]")!.TextContent.Should().Be("7");
        page.Document.QuerySelectorAll("svg.columns rect").Should().HaveCount(3, "one created, completed and failed column in one minute");
        page.Html.Should().Contain("all instances").And.NotContain("this process");
        page.Document.QuerySelector("table.types tbody td:nth-child(5)")!.TextContent.Should().Be("25 %");
    }

    [Fact]
    public async Task Events_EveryStatusListable_OffersAnyStatus()
    {
        var data = new FakeData();
        data.Add(EventStatus.Pending);
        await using var host = await DashboardHost.StartAsync(services: s => s.AddSingleton<IDashboardData>(data));

        var page = await host.PageAsync($"{DashboardHost.Base}/events");

        page.Document.QuerySelectorAll("#filter-status option").Select(o => o.TextContent).Should().Equal("any", "pending", "processing", "completed", "failed", "dead_letter");
        page.Document.QuerySelectorAll("#events tbody tr").Should().ContainSingle();
    }

    private sealed class FakeData : IDashboardData
    {
        private readonly Dictionary<Guid, EventDetails> _events = [];

        public ConcurrentQueue<string> Calls { get; } = new();

        public List<TypePause> Pauses { get; } = [];

        public DashboardCapabilities Capabilities { get; } = new()
        {
            ListableStatuses = null,
            FullFilter = true,
            Requeueable = new HashSet<EventStatus> { EventStatus.DeadLetter, EventStatus.Failed },
            Replay = true,
            Cancel = true,
            Pause = true,
            StoreWideStatistics = true,
            CanRequeue = _ => true,
            CanPurge = _ => true,
        };

        public Guid Add(EventStatus status, params (string Handler, EventLogResult Result)[] runs)
        {
            var id = Guid.CreateVersion7(Now);
            var record = new EventRecord { Id = id, Type = "order.placed", Entity = "order", EntityId = "1", Payload = "{}", Status = status, AvailableAt = Now, CreatedAt = Now };
            _events[id] = new EventDetails(record, runs.Select(r => new EventLogEntry
            {
                Id = Guid.CreateVersion7(Now), EventId = id, Action = r.Handler, Result = r.Result, Attempt = 1, Duration = TimeSpan.FromMilliseconds(3), CreatedAt = Now,
            }).ToList());
            return id;
        }

        public Task<EventMetrics> GetMetricsAsync(CancellationToken cancellationToken) => Task.FromResult(new EventMetrics { Pending = _events.Count });

        public Task<EventBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(new EventBacklog());

        public Task<IReadOnlyList<TimelineBucket>> GetTimelineAsync(DateTimeOffset from, DateTimeOffset until, TimeSpan interval, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TimelineBucket>>([new TimelineBucket(from, 4, 3, 1, 0)]);

        public Task<IReadOnlyList<TypeStatistics>> GetTypeStatisticsAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TypeStatistics>>([new TypeStatistics("order.placed", 4, 4, 1, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(90))]);

        public Task<IReadOnlyList<EventKit.Dashboard.Internal.Data.HandlerStatistics>> GetHandlerStatisticsAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<EventKit.Dashboard.Internal.Data.HandlerStatistics>>([new EventKit.Dashboard.Internal.Data.HandlerStatistics("invoice.paid", "Mailer", 10, 1, TimeSpan.FromMilliseconds(5))]);

        public Task<IReadOnlyList<ProcessorInfo>> GetProcessorsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ProcessorInfo>>([new ProcessorInfo("web-1/42", "web-1", Now.AddHours(-1), Now, 7)]);

        public Task<IReadOnlyList<TypePause>> GetPausedTypesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<TypePause>>(Pauses);

        public Task<EventListPage> ListEventsAsync(DashboardFilter filter, bool oldestFirst, string? continuation, int pageSize, CancellationToken cancellationToken) =>
            Task.FromResult(new EventListPage(_events.Values.Select(d => d.Event).Where(filter.Matches).ToList(), null));

        public Task<long> CountEventsAsync(DashboardFilter filter, long max, CancellationToken cancellationToken) =>
            Task.FromResult((long)_events.Values.Count(d => filter.Matches(d.Event)));

        public Task<IReadOnlyList<FailureGroup>> GetFailureGroupsAsync(EventStatus status, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<FailureGroup>>([]);

        public Task<EventDetails?> GetEventAsync(Guid eventId, CancellationToken cancellationToken) =>
            Task.FromResult(_events.GetValueOrDefault(eventId));

        public Task<bool> RequeueAsync(Guid eventId, OperatorAction action, CancellationToken cancellationToken) => Record($"requeue {eventId}", action);

        public async Task<long> RequeueAsync(DashboardFilter filter, OperatorAction action, CancellationToken cancellationToken) =>
            await Record($"requeue {filter}", action) ? 1 : 0;

        public Task<bool> ReplayAsync(Guid eventId, string? handler, OperatorAction action, CancellationToken cancellationToken) =>
            Record($"replay {eventId} {handler ?? "*"}", action);

        public Task<bool> CancelAsync(Guid eventId, OperatorAction action, CancellationToken cancellationToken) => Record($"cancel {eventId}", action);

        public async Task<long> PurgeAsync(DashboardFilter filter, OperatorAction action, CancellationToken cancellationToken) =>
            await Record($"purge {filter}", action) ? 1 : 0;

        public Task<bool> PauseAsync(string type, OperatorAction action, CancellationToken cancellationToken) => Record($"pause {type}", action);

        public Task<bool> ResumeAsync(string type, OperatorAction action, CancellationToken cancellationToken) => Record($"resume {type}", action);

        private Task<bool> Record(string call, OperatorAction action)
        {
            Calls.Enqueue($"{call} by {action.PerformedBy}: {action.Reason}");
            return Task.FromResult(true);
        }
    }
}
