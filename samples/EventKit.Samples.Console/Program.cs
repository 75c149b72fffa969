// EventKit console sample: "Workspace", a small project-management app on an embedded SQLite database.
// Use cases change data and publish events in the same SaveChanges (a transactional outbox); EventKit runs the
// handlers in the background, retries a transient failure, dead-letters an event that cannot succeed until someone
// fixes the data, requeues it, and runs a delayed reminder when a task falls due. See samples/README.md.
//
//   dotnet run --project samples/EventKit.Samples.Console             # run the story, print the results, exit
//   dotnet run --project samples/EventKit.Samples.Console -- --watch  # then keep processing until Ctrl-C
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workspace;
using Workspace.Data;

var watch = args.Contains("--watch");

// A fresh database file on every run, next to the app, so runs behave the same.
var databasePath = Path.Combine(AppContext.BaseDirectory, "workspace.db");
using var databaseLock = WorkspaceServiceCollectionExtensions.TryLockDatabase(databasePath);
if (databaseLock is null)
{
    Console.Error.WriteLine($"Another copy of the sample is running on {databasePath}: each run deletes and re-creates that database, so stop the other copy first.");
    return 1;
}

WorkspaceServiceCollectionExtensions.DeleteDatabase(databasePath);

var builder = Host.CreateApplicationBuilder(args.Where(a => a != "--watch").ToArray());
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
    o.UseUtcTimestamp = true; // every time the sample prints is UTC
});
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString();

// The database, EventKit (AddEventKit().UseEntityFramework<WorkspaceDbContext>().AddHandler<…>()), the handlers'
// services and the use cases: see WorkspaceServiceCollectionExtensions.cs.
builder.Services.AddWorkspace(connectionString);

using var host = builder.Build();

// The schema (business tables and EventKit's) comes from the app's EF migration, applied before EventKit starts.
await using (var scope = host.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<WorkspaceDbContext>().Database.MigrateAsync();
}

Console.WriteLine($"Database: {databasePath} (created by the EF migration; deleted at the start of every run)");
await host.StartAsync();

var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
var scenario = new Scenario(host.Services);
try
{
    await scenario.RunAsync(stopping);
}
catch (TimeoutException ex)
{
    Console.Error.WriteLine($"FAILED: {ex.Message} Where things stand:");
    await Report.PrintMetricsAsync(host.Services, scenario.StartedAt, Console.Error);
    await host.StopAsync();
    return 1;
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    Console.Error.WriteLine("Interrupted.");
    await host.StopAsync();
    return 130;
}

await Report.PrintAsync(host.Services, scenario.StartedAt, scenario.DeadLetterId, databasePath);

if (watch)
{
    Console.WriteLine("Watching: the processor keeps running against the database. Press Ctrl-C to stop.");
    await host.WaitForShutdownAsync();
}
else
{
    await host.StopAsync();
}

return 0;
