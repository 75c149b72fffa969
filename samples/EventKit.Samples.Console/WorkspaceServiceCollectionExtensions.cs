using EventKit;
using EventKit.EntityFramework;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Workspace.Data;
using Workspace.Handlers;
using Workspace.Services;
using Workspace.UseCases;

namespace Workspace;

/// <summary>The app's wiring, shared by the console sample and the web sample.</summary>
public static class WorkspaceServiceCollectionExtensions
{
    /// <summary>Registers the database, EventKit with its handlers, the handlers' services and the use cases.</summary>
    public static IServiceCollection AddWorkspace(this IServiceCollection services, string connectionString)
    {
        services.AddDbContext<WorkspaceDbContext>(o => o.UseSqlite(connectionString));

        services.AddEventKit(o =>
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
        services.AddSingleton<FlakyEmailGateway>();
        services.AddSingleton<IEmailGateway>(sp => sp.GetRequiredService<FlakyEmailGateway>());
        services.AddScoped<EmailService>();
        services.AddScoped<NotificationService>();
        services.AddScoped<SubscriptionService>();

        // Use cases: scoped, like the DbContext and IEventPublisher they take (one scope = one unit of work).
        services.AddScoped<RegisterCompanyUseCase>();
        services.AddScoped<CreateUserUseCase>();
        services.AddScoped<SetBillingContactUseCase>();
        services.AddScoped<CreateProjectUseCase>();
        services.AddScoped<CompleteProjectUseCase>();
        services.AddScoped<CreateTaskUseCase>();
        services.AddScoped<AssignTaskUseCase>();
        services.AddScoped<CompleteTaskUseCase>();
        services.AddScoped<CreateInvoiceUseCase>();
        services.AddScoped<PayInvoiceUseCase>();
        services.AddScoped<RecordPaymentFailureUseCase>();
        services.AddScoped<UploadDocumentUseCase>();
        return services;
    }

    /// <summary>
    /// Takes the database for this process (a lock file beside it, held until the returned object is disposed), so a
    /// second copy of the sample started meanwhile stops with a message instead of deleting the database under the
    /// first; <see langword="null"/> when another copy holds it.
    /// </summary>
    public static FileStream? TryLockDatabase(string path)
    {
        try
        {
            return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Deletes the SQLite file (and its journals), so a run starts from an empty database.</summary>
    public static void DeleteDatabase(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            File.Delete(file);
        }
    }
}
