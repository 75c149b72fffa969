using System.Diagnostics;
using EventKit;
using Microsoft.Extensions.DependencyInjection;
using Workspace.Domain;
using Workspace.UseCases;

namespace Workspace;

/// <summary>
/// The story the sample tells: a company signs up, its people plan a project, an invoice is paid and another
/// one bounces. Each step is a use case in its own DI scope, as a web request would be.
/// </summary>
public sealed class Scenario(IServiceProvider services)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>How long after assignment the tasks fall due: a couple of seconds, so the run shows the reminders.</summary>
    private static readonly TimeSpan DueIn = TimeSpan.FromSeconds(2);

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The <c>payment.failed</c> event that was dead-lettered and requeued.</summary>
    public Guid? DeadLetterId { get; private set; }

    /// <param name="stopping">Cancelled by Ctrl-C: the waits end at once instead of timing out.</param>
    public async Task RunAsync(CancellationToken stopping)
    {
        Console.WriteLine("1. Use cases save their change and its events in one SaveChanges; the handlers log as they run.");
        Say("Acme Corp signs up, without a billing contact", "company.created");
        var acme = await RunAsync<RegisterCompanyUseCase, Company>(u => u.ExecuteAsync("Acme Corp", "pro"));
        Say("Ana and Ben join Acme", "user.created x2");
        var ana = await RunAsync<CreateUserUseCase, User>(u => u.ExecuteAsync(acme.Id, "ana@acme.test", "Ana"));
        var ben = await RunAsync<CreateUserUseCase, User>(u => u.ExecuteAsync(acme.Id, "ben@acme.test", "Ben"));

        Say("Ana starts \"Website relaunch\" with two tasks", "project.created, task.created x2");
        var relaunch = await RunAsync<CreateProjectUseCase, Project>(u => u.ExecuteAsync(acme.Id, "Website relaunch", managerId: ana.Id));
        var deck = await RunAsync<CreateTaskUseCase, ProjectTask>(u => u.ExecuteAsync(relaunch.Id, "Prepare the kickoff deck", ana.Id));
        var room = await RunAsync<CreateTaskUseCase, ProjectTask>(u => u.ExecuteAsync(relaunch.Id, "Book the meeting room", ana.Id));

        var dueAt = DateTimeOffset.UtcNow + DueIn;
        Say($"Ana assigns both to Ben, due at {dueAt:HH:mm:ss.fff}", "task.assigned x2, and task.overdue x2 delayed until then");
        await RunAsync<AssignTaskUseCase>(u => u.ExecuteAsync(deck.Id, ben.Id, dueAt, ana.Id));
        await RunAsync<AssignTaskUseCase>(u => u.ExecuteAsync(room.Id, ben.Id, dueAt, ana.Id));
        Say("Ben books the room right away", "task.completed");
        await RunAsync<CompleteTaskUseCase>(u => u.ExecuteAsync(room.Id, ben.Id));
        Say("Ben uploads the sitemap", "document.uploaded");
        await RunAsync<UploadDocumentUseCase, Document>(u => u.ExecuteAsync(relaunch.Id, "sitemap.pdf", 482_133, ben.Id));

        Say("Ana opens and closes \"Security audit\"", "project.created, project.completed");
        var audit = await RunAsync<CreateProjectUseCase, Project>(u => u.ExecuteAsync(acme.Id, "Security audit", managerId: ana.Id));
        await RunAsync<CompleteProjectUseCase>(u => u.ExecuteAsync(audit.Id, ana.Id));

        Say("The subscription invoice INV-1001 is paid", "invoice.created, invoice.paid");
        var plan = await RunAsync<CreateInvoiceUseCase, Invoice>(u => u.ExecuteAsync(acme.Id, "INV-1001", InvoiceKind.Subscription, 49.00m, "ana@acme.test"));
        await RunAsync<PayInvoiceUseCase>(u => u.ExecuteAsync(plan.Id));
        Say("The card is declined for INV-1002", "invoice.created, payment.failed");
        var workshop = await RunAsync<CreateInvoiceUseCase, Invoice>(u => u.ExecuteAsync(acme.Id, "INV-1002", InvoiceKind.OneOff, 1_200.00m, "ana@acme.test"));
        await RunAsync<RecordPaymentFailureUseCase>(u => u.ExecuteAsync(workshop.Id, "card declined"));

        // Acme has no billing contact, so PaymentFailedHandler cannot do its job: it throws
        // NonRetryableEventException and the event goes straight to dead letter. An operator looks at it...
        var operations = services.GetRequiredService<IEventOperations>();
        var dead = await WaitForAsync(
            "payment.failed to be dead-lettered",
            () => operations.GetDeadLettersAsync("payment.failed"),
            list => list.Count > 0,
            stopping);
        DeadLetterId = dead[0].Id;
        Console.WriteLine();
        Console.WriteLine($"2. Dead letter (IEventOperations.GetDeadLettersAsync): {dead[0].Type} {dead[0].Id}");
        Console.WriteLine($"   last error: {FirstLine(dead[0].LastError)}");

        // ...fixes the data and requeues the event: it starts again from attempt 1, and now succeeds.
        await RunAsync<SetBillingContactUseCase>(u => u.ExecuteAsync(acme.Id, "billing@acme.test", actor: ana.Id.ToString()));
        Console.WriteLine("   fix: Ana sets Acme's billing contact to billing@acme.test (company.updated)");
        var requeued = await operations.RequeueAsync(dead[0].Id, "sample-operator", "billing contact fixed", stopping);
        Console.WriteLine($"   IEventOperations.RequeueAsync: {(requeued ? "requeued" : "not a dead letter any more")}");
        Console.WriteLine();

        Console.WriteLine("3. Waiting until every event is completed (the task.overdue reminders run at their due time)...");
        await WaitForAsync(
            "every event to be completed",
            () => operations.GetMetricsAsync(),
            m => m.Pending == 0 && m.Processing == 0 && m.Failed == 0 && m.DeadLetters == 0,
            stopping);
    }

    private static void Say(string what, string events) => Console.WriteLine($"   > {what}  [{events}]");

    private async Task RunAsync<TUseCase>(Func<TUseCase, Task> execute)
        where TUseCase : notnull
    {
        await using var scope = services.CreateAsyncScope();
        await execute(scope.ServiceProvider.GetRequiredService<TUseCase>());
    }

    private async Task<TResult> RunAsync<TUseCase, TResult>(Func<TUseCase, Task<TResult>> execute)
        where TUseCase : notnull
    {
        await using var scope = services.CreateAsyncScope();
        return await execute(scope.ServiceProvider.GetRequiredService<TUseCase>());
    }

    /// <summary>
    /// Polls <paramref name="probe"/> until <paramref name="done"/> holds. EventKit itself needs no polling (a commit
    /// wakes its processor); the sample polls only to know when to print, and gives up after a timeout.
    /// </summary>
    private static async Task<T> WaitForAsync<T>(string what, Func<Task<T>> probe, Func<T, bool> done, CancellationToken stopping)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed > Timeout)
            {
                throw new TimeoutException($"timed out after {Timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), stopping);
        }
    }

    private static string FirstLine(string? text) => text?.Split('\n')[0].TrimEnd() ?? "";
}
