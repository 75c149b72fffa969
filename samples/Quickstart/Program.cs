// A complete program around the README's quickstart (the same event, a handler like its own, a second event and a
// flaky e-mail gateway): publish events, handle them in the background, watch a retry happen, then print the
// seed's metrics and the counts per type. The README's own code blocks are compiled and run in tests/EventKit.Docs.Tests.
using EventKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quickstart;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton<FlakyEmailGateway>();
builder.Services.AddEventKit(o => o.RetryBaseDelay = TimeSpan.FromMilliseconds(200))
    .AddHandler<WelcomeEmailHandler>()
    .AddHandler<InvoicePaidHandler>();
using var host = builder.Build();
await host.StartAsync();

await using (var scope = host.Services.CreateAsyncScope())
{
    var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
    await publisher.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"), new PublishOptions { Actor = "admin" });
    await publisher.PublishAsync(new InvoicePaid(1042, 99.90m, "subscription"));
    await publisher.PublishAsync("task.overdue", "task", "t-7", new { title = "Send the report" }); // no handler: completes
}

var operations = host.Services.GetRequiredService<IEventOperations>();
EventMetrics metrics;
while ((metrics = await operations.GetMetricsAsync()).Completed < 3)
{
    await Task.Delay(50); // a sample may poll; EventKit itself is woken by the publish
}

Console.WriteLine($"pending={metrics.Pending} processing={metrics.Processing} completed={metrics.Completed} failed={metrics.Failed} dead_letter={metrics.DeadLetters}");
Console.WriteLine($"average processing time: {metrics.AverageProcessingTime?.TotalMilliseconds:F0} ms");
foreach (var count in await operations.GetCountsByTypeAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow))
{
    Console.WriteLine($"{count.Type}: {count.Count}");
}

await host.StopAsync();
