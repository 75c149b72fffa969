using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using EventKit.ContractTests;
using EventKit.Internal;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventKit.Tests;

/// <summary>Spans and metrics, observed with ActivityListener and MeterListener (no OpenTelemetry SDK).</summary>
public sealed class TelemetryTests : IDisposable
{
    // A type per test instance keeps parallel tests' spans and measurements apart.
    private readonly string _type = $"telemetry.t{Guid.NewGuid():N}";
    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ActivityListener _activityListener;

    public TelemetryTests()
    {
        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "EventKit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("messaging.destination.name") as string == _type)
                {
                    _activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_activityListener);
    }

    public void Dispose() => _activityListener.Dispose();

    [Fact]
    public async Task Spans_PublishIsTheParentOfEachHandlerRun_WithMessagingAttributes()
    {
        await using var app = CreateApp();

        var id = await app.PublishAsync(p => p.PublishAsync(_type, "invoice", "inv-1", new { total = 10 }));
        await app.DrainAsync();

        var publish = _activities.Should().ContainSingle(a => a.OperationName == $"publish {_type}").Subject;
        var process = _activities.Should().ContainSingle(a => a.OperationName == $"process {_type}").Subject;
        publish.Kind.Should().Be(ActivityKind.Producer);
        process.Kind.Should().Be(ActivityKind.Consumer);
        process.TraceId.Should().Be(publish.TraceId);
        process.ParentSpanId.Should().Be(publish.SpanId);
        publish.Tags.Should().Contain(new Dictionary<string, string?>
        {
            ["messaging.system"] = "eventkit",
            ["messaging.operation.type"] = "send",
            ["messaging.destination.name"] = _type,
            ["messaging.message.id"] = id.ToString(),
            ["eventkit.entity"] = "invoice",
        });
        process.Tags.Should().Contain(new Dictionary<string, string?>
        {
            ["messaging.system"] = "eventkit",
            ["messaging.operation.type"] = "process",
            ["messaging.destination.name"] = _type,
            ["messaging.message.id"] = id.ToString(),
            ["eventkit.handler"] = nameof(RawJsonHandler),
        });
        process.GetTagItem("eventkit.attempt").Should().Be(1);
        process.Status.Should().Be(ActivityStatusCode.Unset);
    }

    [Fact]
    public async Task Spans_InsideAnApplicationSpan_JoinItsTrace()
    {
        await using var app = CreateApp();
        using var source = new ActivitySource("App");
        using var listener = new ActivityListener { ShouldListenTo = s => s.Name == "App", Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded };
        ActivitySource.AddActivityListener(listener);

        using (var request = source.StartActivity("POST /users"))
        {
            await app.PublishAsync(p => p.PublishAsync(_type, "user", "u-1", new { }));
            await app.DrainAsync();
            _activities.Should().OnlyContain(a => a.TraceId == request!.TraceId);
        }

        _activities.Should().HaveCount(2);
    }

    [Fact]
    public async Task Spans_PublishMany_IsOnePublishSpan_TheParentOfEachHandlerRun()
    {
        // A typed event (PublishManyAsync takes typed payloads): its spans are told apart from parallel tests' by this trace.
        await using var app = TestApp.Create(b => b.UseInMemoryStore(), handlers: b => b.AddHandler<WelcomeEmailHandler>());
        using var source = new ActivitySource("App");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = ListenToAppAndEventKit(spans);

        using (var request = source.StartActivity("POST /users/bulk"))
        {
            await app.PublishManyAsync([new UserCreated(Guid.NewGuid(), "a@example.com", "A"), new UserCreated(Guid.NewGuid(), "b@example.com", "B")]);
            await app.DrainAsync();
        }

        var ours = EventKitSpansUnder(spans, "POST /users/bulk");
        var publish = ours.Should().ContainSingle(a => a.OperationName == "publish user.created").Subject;
        publish.Kind.Should().Be(ActivityKind.Producer);
        publish.GetTagItem("messaging.batch.message_count").Should().Be(2);
        ours.Where(a => a.OperationName == "process user.created").Should().HaveCount(2)
            .And.OnlyContain(a => a.ParentSpanId == publish.SpanId, "the batch's publish span is the parent of every handler run");
    }

    [Fact]
    public async Task Spans_PublishMany_RefusedBatch_HasNoSpan_AsARefusedPublishHasNone()
    {
        await using var app = TestApp.Create(b => b.UseInMemoryStore(), handlers: b => b.AddHandler<WelcomeEmailHandler>());
        using var source = new ActivitySource("App");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = ListenToAppAndEventKit(spans);

        using (source.StartActivity("POST /users/bulk"))
        {
            var refused = async () => await app.PublishManyAsync([new UserCreated(Guid.NewGuid(), "a@example.com", "A"), null!]);
            await refused.Should().ThrowAsync<ArgumentNullException>().WithParameterName("payloads");
        }

        EventKitSpansUnder(spans, "POST /users/bulk").Should().BeEmpty("nothing was published");
    }

    /// <summary>Collects the spans of the "App" source and EventKit's, for tests that tell theirs apart by the trace of an "App" span.</summary>
    private static ActivityListener ListenToAppAndEventKit(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "App" or "EventKit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>EventKit's spans in the trace of the "App" span named <paramref name="operation"/> (parallel tests' spans are in other traces).</summary>
    private static List<Activity> EventKitSpansUnder(IEnumerable<Activity> spans, string operation)
    {
        var traceId = spans.Single(r => r.OperationName == operation).TraceId;
        return [.. spans.Where(a => a.Source.Name == "EventKit" && a.TraceId == traceId)];
    }

    [Fact]
    public async Task Spans_FailedRun_HasErrorStatusAndException()
    {
        await using var app = CreateApp();
        app.Probe.FailTimes(nameof(RawJsonHandler), 1);

        await app.PublishAsync(p => p.PublishAsync(_type, "user", "u-1", new { }));
        await app.DrainAsync();

        var process = _activities.Should().ContainSingle(a => a.OperationName == $"process {_type}").Subject;
        process.Status.Should().Be(ActivityStatusCode.Error);
        process.StatusDescription.Should().Contain("failed on purpose");
        process.GetTagItem("error.type").Should().Be(typeof(InvalidOperationException).FullName);
        process.Events.Should().Contain(e => e.Name == "exception");
    }

    [Fact]
    public async Task Metrics_CountAKnownWorkload()
    {
        await using var app = CreateApp(o => o.RetryBaseDelay = TimeSpan.FromSeconds(10));
        using var metrics = new MetricCollector(app.Services.GetRequiredService<EventKitTelemetry>().Meter);
        app.Probe.FailTimes(nameof(RawJsonHandler), 1);

        for (var i = 0; i < 3; i++)
        {
            await app.PublishAsync(p => p.PublishAsync(_type, "user", $"u-{i}", new { }));
        }

        app.Time.Advance(TimeSpan.FromSeconds(2));
        await app.DrainAsync();                          // 2 complete, 1 fails
        app.Time.Advance(TimeSpan.FromSeconds(20));
        await app.DrainAsync();                          // the retry completes
        app.Probe.FailWith(nameof(RawJsonHandler), () => new NonRetryableEventException("gone"));
        await app.PublishAsync(p => p.PublishAsync(_type, "user", "u-9", new { }));
        await app.DrainAsync();                          // dead letter

        metrics.Sum("eventkit.events.published").Should().Be(4);
        metrics.Sum("eventkit.handler.runs", ("eventkit.result", "success")).Should().Be(3);
        metrics.Sum("eventkit.handler.runs", ("eventkit.result", "failure")).Should().Be(2);
        metrics.Sum("eventkit.events.retried").Should().Be(1);
        metrics.Sum("eventkit.events.dead_lettered").Should().Be(1);
        metrics.Values("eventkit.handler.duration").Should().HaveCount(5);
        metrics.Values("eventkit.event.latency").Should().BeEquivalentTo([2.0, 2.0, 22.0], "seconds from publish to completion on the fake clock");
        metrics.Tags("eventkit.events.published").Should().OnlyContain(t => t["messaging.destination.name"] as string == _type);
    }

    [Fact]
    public async Task Gauges_ReportTheSampledBacklog_AndItsGrowingAge()
    {
        await using var app = CreateApp();
        var telemetry = app.Services.GetRequiredService<EventKitTelemetry>();
        using var metrics = new MetricCollector(telemetry.Meter);
        var sampler = new EventBacklogSampler(
            app.Services.GetRequiredService<IServiceScopeFactory>(), telemetry, app.Services.GetRequiredService<IOptions<EventKitOptions>>(), app.Time, NullLogger<EventBacklogSampler>.Instance);
        await app.PublishAsync(p => p.PublishAsync(_type, "user", "u-1", new { }));
        await app.PublishAsync(p => p.PublishAsync(_type, "user", "u-2", new { }));

        app.Time.Advance(TimeSpan.FromSeconds(30));
        await sampler.SampleAsync();
        app.Time.Advance(TimeSpan.FromSeconds(15)); // no new sample: the age still grows
        metrics.Observe();

        metrics.Last("eventkit.events.waiting").Should().Be(2);
        metrics.Last("eventkit.backlog.age").Should().Be(45);
        metrics.Tags("eventkit.events.waiting").Should().ContainSingle().Which["eventkit.store"].Should().Be("InMemoryEventStore");
    }

    private TestApp CreateApp(Action<EventKitOptions>? configure = null) =>
        TestApp.Create(b => b.UseInMemoryStore(), configure, b => b.AddHandler<RawJsonHandler, JsonElement>(_type));

    /// <summary>Collects the measurements of one meter instance.</summary>
    private sealed class MetricCollector : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

        public MetricCollector(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
            _listener.Start();
        }

        public void Observe() => _listener.RecordObservableInstruments();

        public double Sum(string instrument, params (string Key, string Value)[] tags) =>
            _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && (string?)v == t.Value)).Sum(m => m.Value);

        public IReadOnlyList<double> Values(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value)];

        public double Last(string instrument) => _measurements.Last(m => m.Instrument == instrument).Value;

        public IReadOnlyList<Dictionary<string, object?>> Tags(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Tags)];

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            _measurements.Enqueue((instrument.Name, value, copy));
        }
    }
}
