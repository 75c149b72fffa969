// EventKit web sample: the console sample's "Workspace" app behind a minimal HTTP API, and EventKit's operations
// (metrics, counts per type, dead letters, requeue, an event and its log) as endpoints, and the EventKit dashboard.
// See samples/README.md.
//
//   dotnet run --project samples/EventKit.Samples.Web     # then try the requests in requests.http,
//                                                          # and open http://localhost:5000/eventkit
using System.Text.Json.Serialization;
using EventKit;
using EventKit.Dashboard;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Workspace;
using Workspace.Data;
using Workspace.UseCases;
using Workspace.Web.Requests;

var builder = WebApplication.CreateBuilder(args);

// Like the console sample: a fresh SQLite file next to the app on every start.
var databasePath = Path.Combine(AppContext.BaseDirectory, "workspace-web.db");
WorkspaceServiceCollectionExtensions.DeleteDatabase(databasePath);
builder.Services.AddWorkspace(new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString());

// EventKit's health check (backlog age, processor progress, dead letters) in one call; served at /health.
builder.Services.AddHealthChecks().AddEventKit(o => o.MaxBacklogAge = TimeSpan.FromMinutes(2));

// Statuses and kinds as words ("DeadLetter", "OneOff"), not numbers; a request without a required field, or with a
// null where the record says none, is a 400 (the body cannot be read), not a null passed to the use case.
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
    o.SerializerOptions.RespectNullableAnnotations = true;
    o.SerializerOptions.RespectRequiredConstructorParameters = true;
});

// Errors as problem details: an unknown id is 404, input EventKit or the use case refuses is 400 (its message names
// the argument), a conflict with stored data (a duplicate invoice number) is 409, anything else 500.
builder.Services.AddProblemDetails();
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);

// EventKit's options from configuration too (section "EventKit"), for example `--EventKit:EnableProcessing=false` for
// a web node that only publishes while other instances process.
builder.Services.Configure<EventKitOptions>(builder.Configuration.GetSection("EventKit"));

var app = builder.Build();
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<WorkspaceDbContext>().Database.MigrateAsync();
}

Console.WriteLine($"Database: {databasePath} (deleted at every start)");
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    StatusCodeSelector = exception => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,   // a body that cannot be read (thrown in Development)
        KeyNotFoundException => StatusCodes.Status404NotFound,
        ArgumentException => StatusCodes.Status400BadRequest,
        DbUpdateException => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    },

    // The client's mistakes are answered, not logged as the application's errors.
    SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException or KeyNotFoundException or ArgumentException or DbUpdateException,
});
app.UseStatusCodePages();
app.MapHealthChecks("/health");

// The use cases. A request is a DI scope, so each use case gets the request's DbContext and IEventPublisher, and
// its change and its events commit in its one SaveChanges.
app.MapPost("/companies", async (NewCompany body, RegisterCompanyUseCase useCase, CancellationToken ct) =>
    Results.Ok(await useCase.ExecuteAsync(body.Name, body.Plan, ct)));
app.MapPost("/companies/{companyId:guid}/users", async (Guid companyId, NewUser body, CreateUserUseCase useCase, CancellationToken ct) =>
    Results.Ok(await useCase.ExecuteAsync(companyId, body.Email, body.Name, ct)));
app.MapPut("/companies/{companyId:guid}/billing-contact", async (Guid companyId, BillingContact body, SetBillingContactUseCase useCase, CancellationToken ct) =>
{
    await useCase.ExecuteAsync(companyId, body.Email, body.Actor, ct);
    return Results.NoContent();
});
app.MapPost("/companies/{companyId:guid}/projects", async (Guid companyId, NewProject body, CreateProjectUseCase useCase, CancellationToken ct) =>
    Results.Ok(await useCase.ExecuteAsync(companyId, body.Name, body.ManagerId, ct)));
app.MapPost("/projects/{projectId:guid}/complete", async (Guid projectId, ActorRequest body, CompleteProjectUseCase useCase, CancellationToken ct) =>
{
    await useCase.ExecuteAsync(projectId, body.ActorId, ct);
    return Results.NoContent();
});
app.MapPost("/projects/{projectId:guid}/tasks", async (Guid projectId, NewTask body, CreateTaskUseCase useCase, CancellationToken ct) =>
    Results.Ok(await useCase.ExecuteAsync(projectId, body.Title, body.ActorId, ct)));
app.MapPost("/projects/{projectId:guid}/documents", async (Guid projectId, NewDocument body, UploadDocumentUseCase useCase, CancellationToken ct) =>
    Results.Ok(await useCase.ExecuteAsync(projectId, body.FileName, body.SizeBytes, body.UploadedById, ct)));
app.MapPost("/tasks/{taskId:guid}/assign", async (Guid taskId, TaskAssignment body, AssignTaskUseCase useCase, CancellationToken ct) =>
{
    await useCase.ExecuteAsync(taskId, body.AssigneeId, body.DueAt, body.ActorId, ct);
    return Results.NoContent();
});
app.MapPost("/tasks/{taskId:guid}/complete", async (Guid taskId, ActorRequest body, CompleteTaskUseCase useCase, CancellationToken ct) =>
{
    await useCase.ExecuteAsync(taskId, body.ActorId, ct);
    return Results.NoContent();
});
app.MapPost("/companies/{companyId:guid}/invoices", async (Guid companyId, NewInvoice body, CreateInvoiceUseCase useCase, CancellationToken ct) =>
    Results.Ok(await useCase.ExecuteAsync(companyId, body.Number, body.Kind, body.Total, body.CustomerEmail, ct)));
app.MapPost("/invoices/{invoiceId:guid}/pay", async (Guid invoiceId, PayInvoiceUseCase useCase, CancellationToken ct) =>
{
    await useCase.ExecuteAsync(invoiceId, ct);
    return Results.NoContent();
});
app.MapPost("/invoices/{invoiceId:guid}/payment-failures", async (Guid invoiceId, PaymentFailure body, RecordPaymentFailureUseCase useCase, CancellationToken ct) =>
{
    await useCase.ExecuteAsync(invoiceId, body.Reason, ct);
    return Results.NoContent();
});

// EventKit's operations (IEventOperations), e.g. for an admin page. Protect them in a real app.
var events = app.MapGroup("/events");
events.MapGet("/metrics", (IEventOperations operations, CancellationToken ct) => operations.GetMetricsAsync(ct));
events.MapGet("/counts", (DateTimeOffset? since, DateTimeOffset? until, IEventOperations operations, TimeProvider time, CancellationToken ct) =>
{
    var now = time.GetUtcNow();
    return operations.GetCountsByTypeAsync(since ?? now.AddDays(-1), until ?? now, ct);
});
events.MapGet("/dead-letters", (string? type, IEventOperations operations, CancellationToken ct) =>
    operations.GetDeadLettersAsync(type, cancellationToken: ct));
events.MapPost("/{eventId:guid}/requeue", async (Guid eventId, string actor, string reason, IEventOperations operations, CancellationToken ct) =>
    await operations.RequeueAsync(eventId, actor, reason, ct) ? Results.NoContent() : Results.NotFound());
events.MapGet("/{eventId:guid}", async (Guid eventId, IEventOperations operations, CancellationToken ct) =>
    await operations.GetEventAsync(eventId, ct) is { } details ? Results.Ok(details) : Results.NotFound());

// The dashboard: local requests only, since it has no authorization policy. In a real application give it one:
// app.MapEventKitDashboard("/eventkit").RequireAuthorization("ops").
app.MapEventKitDashboard("/eventkit");

await app.RunAsync();
