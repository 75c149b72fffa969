// EventKit console sample: "Workspace", a small project-management app on an embedded SQLite database.
// Use cases change data and publish events in the same SaveChanges (a transactional outbox); EventKit runs the
// handlers in the background, retries a transient failure, dead-letters an event that cannot succeed until someone
// fixes the data, requeues it, and runs a delayed reminder when a task falls due. See samples/README.md.
//
//   dotnet run --project samples/EventKit.Samples.Console             # run the story, print the results, exit
//   dotnet run --project samples/EventKit.Samples.Console -- --watch  # then keep processing until Ctrl-C
using EventKit;
using EventKit.EntityFramework;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workspace;
using Workspace.Data;
using Workspace.Handlers;
using Workspace.Services;
using Workspace.UseCases;

var watch = args.Contains("--watch");

// A fresh database file on every run, next to the app, so runs behave the same.
var databasePath = Path.Combine(AppContext.BaseDirectory, "workspace.db");
foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm", databasePath + "-journal" })
{
    File.Delete(file);
}

var builder = Host.CreateApplicationBuilder(args.Where(a => a != "--watch").ToArray());
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
    o.UseUtcTimestamp = true; // every time the sample prints is UTC
});
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

// EventKit 0.1.0's GetMetricsAsync makes EF Core log warning 10103 ("First/FirstOrDefault without OrderBy") for
// its own average-duration query; it is harmless. Remove this line once EventKit no longer triggers it.
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Query", LogLevel.Error);

var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString();
builder.Services.AddDbContext<WorkspaceDbContext>(o => o.UseSqlite(connectionString));

builder.Services.AddEventKit(o =>
    {
        // Short timings so the whole story takes seconds; the defaults (5 s, 1 s, …) suit production.
        o.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
        o.RetryMaxDelay = TimeSpan.FromSeconds(2);
        o.PollingInterval = TimeSpan.FromMilliseconds(500);
        o.ShutdownTimeout = TimeSpan.FromSeconds(2);
    })
    .UseEntityFramework<WorkspaceDbContext>()   // events live in WorkspaceDbContext's database
    .AddHandler<UserCreatedHandler>()
    .AddHandler<InvoicePaidHandler>()
    .AddHandler<TaskOverdueHandler>()
    .AddHandler<TaskAssignedHandler>()
    .AddHandler<DocumentUploadedHandler>()
    .AddHandler<ProjectCompletedHandler>()
    .AddHandler<PaymentFailedHandler>();

// Services the handlers use. The gateway is a singleton: it is the "remote" SMTP relay.
builder.Services.AddSingleton<FlakyEmailGateway>();
builder.Services.AddSingleton<IEmailGateway>(sp => sp.GetRequiredService<FlakyEmailGateway>());
builder.Services.AddScoped<EmailService>();
builder.Services.AddScoped<NotificationService>();
builder.Services.AddScoped<SubscriptionService>();

// Use cases: scoped, like the DbContext and IEventPublisher they take (one scope = one unit of work).
builder.Services.AddScoped<RegisterCompanyUseCase>();
builder.Services.AddScoped<CreateUserUseCase>();
builder.Services.AddScoped<SetBillingContactUseCase>();
builder.Services.AddScoped<CreateProjectUseCase>();
builder.Services.AddScoped<CompleteProjectUseCase>();
builder.Services.AddScoped<CreateTaskUseCase>();
builder.Services.AddScoped<AssignTaskUseCase>();
builder.Services.AddScoped<CompleteTaskUseCase>();
builder.Services.AddScoped<CreateInvoiceUseCase>();
builder.Services.AddScoped<PayInvoiceUseCase>();
builder.Services.AddScoped<RecordPaymentFailureUseCase>();
builder.Services.AddScoped<UploadDocumentUseCase>();

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
