using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace EventKit.Docs.Tests;

// README "Observability". ObservabilityTests exports through it with OpenTelemetry's in-memory exporters.
public static class ObservabilitySnippets
{
    public static void AddTelemetry(HostApplicationBuilder builder)
    {
        // <readme:observability>
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource("EventKit"))   // ActivitySource "EventKit"
            .WithMetrics(m => m.AddMeter("EventKit"));   // Meter "EventKit"
        // </readme:observability>
    }
}
