using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EventKit.Internal;

/// <summary>
/// EventKit's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <c>EventKit</c>. Span and attribute
/// names follow the OpenTelemetry messaging conventions; OpenTelemetry picks them up with
/// <c>AddSource("EventKit")</c> / <c>AddMeter("EventKit")</c>, and EventKit takes no dependency on it.
/// </summary>
internal sealed class EventKitTelemetry : IDisposable
{
    public const string Name = "EventKit";
    public const string System = "eventkit";

    private static readonly string? Version = typeof(EventKitTelemetry).Assembly.GetName().Version?.ToString();

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly TimeProvider _time;
    private readonly Counter<long> _published;
    private readonly Counter<long> _handlerRuns;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _handlerDuration;
    private readonly Histogram<double> _latency;
    private volatile BacklogSample? _backlog;

    public EventKitTelemetry(TimeProvider time, IMeterFactory? meterFactory = null)
    {
        _time = time;
        _meter = meterFactory?.Create(new MeterOptions(Name) { Version = Version }) ?? new Meter(Name, Version);
        _ownsMeter = meterFactory is null;
        _published = _meter.CreateCounter<long>("eventkit.events.published", "{event}", "Events published (added to the store or to the unit of work).");
        _handlerRuns = _meter.CreateCounter<long>("eventkit.handler.runs", "{run}", "Handler runs, by handler and result (success or failure).");
        _retried = _meter.CreateCounter<long>("eventkit.events.retried", "{event}", "Failed attempts scheduled for a retry.");
        _deadLettered = _meter.CreateCounter<long>("eventkit.events.dead_lettered", "{event}", "Events moved to dead_letter.");
        _handlerDuration = _meter.CreateHistogram<double>("eventkit.handler.duration", "s", "How long handler runs take.");
        _latency = _meter.CreateHistogram<double>("eventkit.event.latency", "s", "From publish (createdAt) to completion.");
        _meter.CreateObservableGauge("eventkit.events.waiting", ObserveWaiting, "{event}", "Pending and failed events, delayed ones included (sampled).");
        _meter.CreateObservableGauge("eventkit.backlog.age", ObserveAge, "s", "How long the oldest runnable event has been due; grows when processing stalls.");
    }

    public static ActivitySource ActivitySource { get; } = new(Name, Version);

    public Meter Meter => _meter;

    public static Activity? StartPublish(Guid id, string type, string entity)
    {
        var activity = StartPublishMany(type, entity);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.message.id", id.ToString());
        }

        return activity;
    }

    /// <summary>Starts the span of one publish call (of one event, or of a batch of one type: no message id then).</summary>
    public static Activity? StartPublishMany(string type, string entity)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = ActivitySource.StartActivity($"publish {type}", ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", System);
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", "publish");
            activity.SetTag("messaging.destination.name", type);
            activity.SetTag("eventkit.entity", entity);
        }

        return activity;
    }

    /// <summary>Starts the span of one handler run, as a child of the publishing span stored with the event.</summary>
    public static Activity? StartProcess(EventRecord record, string handler)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        ActivityContext.TryParse(record.TraceParent, null, isRemote: true, out var parent);
        var activity = ActivitySource.StartActivity($"process {record.Type}", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", System);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.destination.name", record.Type);
            activity.SetTag("messaging.message.id", record.Id.ToString());
            activity.SetTag("eventkit.entity", record.Entity);
            activity.SetTag("eventkit.handler", handler);
            activity.SetTag("eventkit.attempt", record.Attempts);
        }

        return activity;
    }

    public static void SetError(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        // A user's exception may throw from its Message or ToString (AddException reads both): the span still gets its
        // error status, type and an exception event.
        var message = Processing.Describe.Message(exception);
        activity.SetStatus(ActivityStatusCode.Error, message);
        activity.SetTag("error.type", exception.GetType().FullName);
        try
        {
            activity.AddException(exception);
        }
        catch (Exception)
        {
            activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
            {
                ["exception.type"] = exception.GetType().FullName,
                ["exception.message"] = message,
            }));
        }
    }

    public void Published(string type, int count = 1) => _published.Add(count, new KeyValuePair<string, object?>("messaging.destination.name", type));

    public void HandlerRan(string type, string handler, EventLogResult result, TimeSpan duration)
    {
        var tags = new TagList
        {
            { "messaging.destination.name", type },
            { "eventkit.handler", handler },
            { "eventkit.result", result switch { EventLogResult.Success => "success", EventLogResult.Interrupted => "interrupted", _ => "failure" } },
        };
        _handlerRuns.Add(1, tags);
        _handlerDuration.Record(duration.TotalSeconds, tags);
    }

    public void Settled(EventRecord record, EventOutcome outcome)
    {
        var type = new KeyValuePair<string, object?>("messaging.destination.name", record.Type);
        switch (outcome.Status)
        {
            case EventStatus.Completed:
                _latency.Record((outcome.ProcessedAt!.Value - record.CreatedAt).TotalSeconds, type);
                break;
            case EventStatus.Failed:
                _retried.Add(1, type);
                break;
            case EventStatus.DeadLetter:
                _deadLettered.Add(1, type);
                break;
        }
    }

    public void UpdateBacklog(string store, EventBacklog backlog) => _backlog = new BacklogSample(store, backlog);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private Measurement<long>[] ObserveWaiting() =>
        _backlog is { } sample ? [new Measurement<long>(sample.Backlog.Waiting, new KeyValuePair<string, object?>("eventkit.store", sample.Store))] : [];

    private Measurement<double>[] ObserveAge()
    {
        if (_backlog is not { } sample)
        {
            return [];
        }

        // Computed at observation time from the sampled due time, so a stalled sampler still shows a growing age.
        var age = sample.Backlog.OldestRunnableAt is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0;
        return [new Measurement<double>(age, new KeyValuePair<string, object?>("eventkit.store", sample.Store))];
    }

    private sealed record BacklogSample(string Store, EventBacklog Backlog);
}
