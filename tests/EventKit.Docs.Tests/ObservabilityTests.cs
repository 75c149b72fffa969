using System.Diagnostics;
using EventKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>
/// Exports through the README's OpenTelemetry snippet with OpenTelemetry's in-memory exporters. Other tests of this
/// assembly publish too (ActivitySource listeners are process-wide), so spans are picked by event id.
/// </summary>
public sealed class ObservabilityTests
{
    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];

    [Fact]
    public async Task Snippet_ExportsPublishAndProcessSpans_InOneTrace_AndEventKitsMetrics()
    {
        var builder = CreateBuilder();
        await using var harness = EventKitHarness.Create(builder.Services);
        var tracing = harness.Services.GetRequiredService<TracerProvider>();   // a started host resolves these itself
        var metering = harness.Services.GetRequiredService<MeterProvider>();

        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));
        await harness.DrainAsync();
        tracing.ForceFlush();
        metering.ForceFlush();

        var spans = SpansOf(id);
        var publish = Assert.Single(spans, s => s.Kind == ActivityKind.Producer);
        var process = Assert.Single(spans, s => s.Kind == ActivityKind.Consumer);
        Assert.Equal(("publish user.created", "process user.created"), (publish.DisplayName, process.DisplayName));
        Assert.Equal(publish.TraceId, process.TraceId);
        Assert.Equal("WelcomeEmailHandler", process.GetTagItem("eventkit.handler"));
        string[] names;
        lock (_metrics)
        {
            names = [.. _metrics.Select(m => m.Name)];
        }

        Assert.Contains("eventkit.events.published", names);
        Assert.Contains("eventkit.handler.runs", names);
        Assert.Contains("eventkit.handler.duration", names);
    }

    [Fact]
    public async Task Snippet_BuildsAHostThatExports()
    {
        using var host = CreateBuilder().Build();
        await host.StartAsync();
        Guid id;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            id = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));
        }

        // The publish span ends inside PublishAsync; the in-memory exporter receives it as it ends.
        Assert.Single(SpansOf(id), s => s.Kind == ActivityKind.Producer);
        await host.StopAsync();
    }

    private HostApplicationBuilder CreateBuilder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IEmailSender, FakeEmailSender>();
        builder.Services.AddEventKit().AddHandler<WelcomeEmailHandler>();
        ObservabilitySnippets.AddTelemetry(builder);
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddInMemoryExporter(_spans))
            .WithMetrics(m => m.AddInMemoryExporter(_metrics));
        return builder;
    }

    private List<Activity> SpansOf(Guid id)
    {
        lock (_spans)
        {
            return [.. _spans.Where(s => s.GetTagItem("messaging.message.id") as string == id.ToString())];
        }
    }
}
