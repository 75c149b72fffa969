// Checks that the four EventKit packages install and work in an application outside the repository.
// Exits 0 and prints "PackageConsumer: OK" when they do; any failure throws and exits non-zero.
using System.Reflection;
using EventKit;
using EventKit.Dashboard;
using EventKit.EntityFramework;
using EventKit.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

foreach (var assembly in new[] { typeof(IEventPublisher).Assembly, typeof(EventKitModelBuilderExtensions).Assembly, typeof(EventKitHarness).Assembly, typeof(EventKitDashboardOptions).Assembly })
{
    var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
    Console.WriteLine($"{assembly.GetName().Name} {version}");
}

// EventKit and EventKit.Testing: publish an event and handle it through the real pipeline (in-memory store).
var greetings = new List<string>();
await using (var harness = EventKitHarness.Create(b => b.AddHandler<GreetingHandler>(), services: s => s.AddSingleton(greetings)))
{
    var id = await harness.PublishAsync(new Greeted(Guid.NewGuid(), "package consumer"));
    await harness.DrainAsync();
    await harness.EnsureCompletedAsync(id);
    if (greetings is not ["Hello, package consumer!"])
    {
        throw new InvalidOperationException($"The handler did not run as expected: [{string.Join(", ", greetings)}]");
    }

    var metrics = await harness.Operations.GetMetricsAsync();
    Console.WriteLine($"handled: {greetings[0]} (completed={metrics.Completed})");
}

// EventKit.EntityFramework: EventKit's tables join an EF Core model.
var modelBuilder = new ModelBuilder();
modelBuilder.AddEventKit();
var tables = modelBuilder.Model.GetEntityTypes().Select(e => e.GetTableName()).Order(StringComparer.Ordinal).ToArray();
if (tables is not ["event_logs", "event_processors", "event_type_pauses", "events"])
{
    throw new InvalidOperationException($"Unexpected EventKit tables: [{string.Join(", ", tables)}]");
}

Console.WriteLine($"EF model tables: {string.Join(", ", tables)}");

// EventKit.Dashboard: mounted in a web application on a loopback port, its overview and its embedded stylesheet answer.
var web = WebApplication.CreateSlimBuilder();
web.WebHost.UseUrls("http://127.0.0.1:0");
web.Logging.ClearProviders();
web.Services.AddEventKit(o => o.EnableProcessing = false);
await using (var app = web.Build())
{
    app.MapEventKitDashboard("/eventkit");
    await app.StartAsync();
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    using var http = new HttpClient { BaseAddress = new Uri(address) };
    var overview = await http.GetStringAsync("/eventkit/");
    var css = await http.GetAsync("/eventkit/assets/dashboard.css");
    if (!overview.Contains("<h1>Overview</h1>", StringComparison.Ordinal) || !css.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"The dashboard did not answer as expected (stylesheet: {(int)css.StatusCode}).");
    }

    Console.WriteLine($"dashboard: overview and stylesheet served at {address}/eventkit");
    await app.StopAsync();
}

Console.WriteLine("PackageConsumer: OK");
return 0;

[EventType("greeting.sent")]
internal sealed record Greeted([property: EntityId] Guid Id, string Name);

internal sealed class GreetingHandler(List<string> greetings) : IEventHandler<Greeted>
{
    public Task HandleAsync(EventContext<Greeted> context, CancellationToken cancellationToken)
    {
        greetings.Add($"Hello, {context.Payload.Name}!");
        return Task.CompletedTask;
    }
}
