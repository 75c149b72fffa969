using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using EventKit.Internal;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// A handler whose exception cannot even be read (its Message and ToString throw). README "Observability": every
/// handler run is counted in <c>eventkit.handler.runs</c> and <c>eventkit.handler.duration</c>, and gets a
/// <c>process {type}</c> span whose status a failure sets to error; "Retries and dead letters": the run's error is
/// in the event log. A logger that writes the exception's text (as the console logger does) or a trace listener must
/// not turn that failure into a run that was never measured and a span that never ends.
/// </summary>
public sealed class HostileExceptionTests
{
    [Fact]
    public async Task ExceptionWhoseTextThrows_WithALoggerThatFormatsIt_AndTracing_IsStillCountedTraced_AndFailsOnlyItself()
    {
        var spans = new ConcurrentQueue<Activity>();
        var ids = new ConcurrentDictionary<string, byte>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "EventKit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("messaging.message.id") is string id && ids.ContainsKey(id))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using var host = PipelineHost.Create(
            o => o.RetryBaseDelay = TimeSpan.FromMinutes(1),
            services: s => s.AddLogging(b => b.AddProvider(new ExceptionTextLogger())));
        using var metrics = new Measurements(host.Services.GetRequiredService<EventKitTelemetry>().Meter);
        host.Script.On("unreadable", _ => throw new UnreadableException());
        var bad = await host.PublishStepAsync("unreadable");
        var good = await host.PublishStepAsync("fine");
        ids[bad.ToString()] = 0;
        ids[good.ToString()] = 0;

        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 2, "both outcomes are recorded");

        var details = await host.GetAsync(bad);
        details.Event.Status.Should().Be(EventStatus.Failed, "it failed alone and is retried");
        details.Log.Should().ContainSingle().Which.Error.Should().Contain(typeof(UnreadableException).FullName).And.Contain("could not be read");
        (await host.GetAsync(good)).Event.Status.Should().Be(EventStatus.Completed);

        metrics.Count("eventkit.handler.runs", "failure").Should().Be(1, "the failed run is counted like any other");
        metrics.Count("eventkit.handler.runs", "success").Should().Be(1);
        metrics.Count("eventkit.handler.duration", null).Should().Be(2, "each run's duration is recorded");
        spans.Should().HaveCount(2, "each run's span ends");
        spans.Should().ContainSingle(s => (string)s.GetTagItem("messaging.message.id")! == bad.ToString())
            .Which.Status.Should().Be(ActivityStatusCode.Error);
    }

    /// <summary>An exception type whose text cannot be read: both its Message and its ToString throw.</summary>
    private sealed class UnreadableException : Exception
    {
        public override string Message => throw new InvalidOperationException("Message is broken");

        public override string ToString() => throw new InvalidOperationException("ToString is broken");
    }

    /// <summary>Writes each entry's exception text, as the console and most sinks do.</summary>
    private sealed class ExceptionTextLogger : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _ = formatter(state, exception) + exception?.ToString();

        public void Dispose()
        {
        }
    }

    /// <summary>Counts the measurements of one meter instance, by <c>eventkit.result</c>.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Instrument, string? Result)> _seen = new();

        public Measurements(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, _, t, _) => Add(i, t));
            _listener.SetMeasurementEventCallback<double>((i, _, t, _) => Add(i, t));
            _listener.Start();
        }

        public int Count(string instrument, string? result) => _seen.Count(m => m.Instrument == instrument && (result is null || m.Result == result));

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? result = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "eventkit.result")
                {
                    result = tag.Value as string;
                }
            }

            _seen.Enqueue((instrument.Name, result));
        }
    }
}
