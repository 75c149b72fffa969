// A separate OS process running EventKit on PostgreSQL, for the multi-process tests.
//
//   dotnet EventKit.EntityFramework.TestHost.dll --connection <npgsql> --instance <name>
//       [--batch-size N] [--concurrency N] [--lease 00:00:03] [--polling 00:00:00.100] [--pause-after N]
//       [--publish N] [--debug-log true] [--processing false] [--retry-base 00:00:00.200] [--fail-step N]
//
// One line per message on stdout / stdin, so the test decides every step:
//   stdout "ready"    warmed up (model built, database reachable); the host waits for "go" on stdin
//   stdin  "go"       start the host: EventKit claims and handles events; stdout "started"
//   stdout "paused"   the --pause-after'th handler run has recorded its event and blocks until cancelled
//   stdout "published" with --publish N, once started: this process has published N events, one per SaveChanges
//                      (as N requests would, so its processor takes them by hand-off while it has room)
// --fail-step N fails the first attempt of WorkStep N of every tenth work item (StepHandler).
// --debug-log true writes EventKit's Debug logs to stderr too (the hand-off's 1028 among them).
//   stdin  "stop"/EOF graceful stop (unstarted leases released); exit code 0, or 1 if an EventKit loop faulted
// Bad arguments: usage on stderr, exit code 2. Logs go to stderr at Warning and above.
using EventKit;
using EventKit.EntityFramework.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var switches = new Dictionary<string, string>
{
    ["--connection"] = "Connection",
    ["--instance"] = "Instance",
    ["--pause-after"] = "PauseAfter",
    ["--publish"] = "Publish",
    ["--debug-log"] = "DebugLog",
    ["--batch-size"] = "EventKit:BatchSize",
    ["--concurrency"] = "EventKit:MaxConcurrency",
    ["--lease"] = "EventKit:LeaseDuration",
    ["--polling"] = "EventKit:PollingInterval",
    ["--processing"] = "EventKit:EnableProcessing",
    ["--retry-base"] = "EventKit:RetryBaseDelay",
    ["--fail-step"] = "FailStep",
};

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
builder.Configuration.AddCommandLine(args, switches);
var connection = builder.Configuration["Connection"];
var name = builder.Configuration["Instance"];
if (string.IsNullOrWhiteSpace(connection) || string.IsNullOrWhiteSpace(name))
{
    await Console.Error.WriteLineAsync(
        "usage: EventKit.EntityFramework.TestHost --connection <npgsql connection string> --instance <name> " +
        "[--batch-size N] [--concurrency N] [--lease hh:mm:ss] [--polling hh:mm:ss.fff] [--pause-after N] [--publish N] [--debug-log true] " +
        "[--processing false] [--retry-base hh:mm:ss.fff] [--fail-step N]");
    return 2;
}

builder.Logging.ClearProviders();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (builder.Configuration.GetValue<bool>("DebugLog"))
{
    builder.Logging.AddFilter("EventKit", LogLevel.Debug);
}

builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
});

var instance = new TestHostInstance(name, builder.Configuration.GetValue<int?>("PauseAfter"), builder.Configuration.GetValue<int?>("FailStep"));
builder.Services.AddTestHost(connection, instance);
builder.Services.AddOptions<EventKitOptions>().Bind(builder.Configuration.GetSection("EventKit"));

using var host = builder.Build();

// Warm up before "ready", so that "go" starts processing at once in every process.
await using (var scope = host.Services.CreateAsyncScope())
{
    _ = await scope.ServiceProvider.GetRequiredService<TestHostDbContext>().Handled.CountAsync();
}

Console.Out.WriteLine("ready");
if (Console.In.ReadLine() != "go")
{
    return 0;
}

var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
_ = instance.Paused.Task.ContinueWith(_ => Console.Out.WriteLine("paused"), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
var stdin = new Thread(() =>
{
    // Blocking reads on a thread of their own: Console.In has no truly asynchronous read.
    while (Console.In.ReadLine() is { } line && line != "stop")
    {
    }

    lifetime.StopApplication();
})
{
    IsBackground = true,
    Name = "stdin",
};

await host.StartAsync();
stdin.Start();
Console.Out.WriteLine("started");
var publish = builder.Configuration.GetValue<int>("Publish");
if (publish > 0)
{
    _ = Task.Run(async () =>
    {
        for (var number = 0; number < publish; number++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new WorkItem(number));
            await scope.ServiceProvider.GetRequiredService<TestHostDbContext>().SaveChangesAsync();
        }

        Console.Out.WriteLine("published");
    });
}
await host.WaitForShutdownAsync();

var faulted = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Any(s => s.ExecuteTask is { IsFaulted: true });
return faulted ? 1 : 0;
