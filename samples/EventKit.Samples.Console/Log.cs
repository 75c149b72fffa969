using Microsoft.Extensions.Logging;
using Workspace.Domain;

namespace Workspace;

/// <summary>The app's log messages, source-generated: no formatting or boxing unless the level is enabled.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Email {Template} sent to {To}: {Subject}")]
    public static partial void EmailSent(ILogger logger, string template, string to, string subject);

    [LoggerMessage(2, LogLevel.Information, "Email {Template} to {To} was already sent for this event; not sending it again")]
    public static partial void EmailAlreadySent(ILogger logger, string template, string to);

    [LoggerMessage(3, LogLevel.Information, "Notification for {User}: {Title}: {Message}")]
    public static partial void NotificationCreated(ILogger logger, string user, string title, string message);

    [LoggerMessage(4, LogLevel.Information, "Plan of {Company} extended by {Months} month(s): {Previous:yyyy-MM-dd} -> {New:yyyy-MM-dd}")]
    public static partial void PlanExtended(ILogger logger, string company, int months, DateTimeOffset previous, DateTimeOffset @new);

    [LoggerMessage(5, LogLevel.Information, "Payment report filed for invoice {Number} ({Kind}, {Amount:0.00} EUR)")]
    public static partial void PaymentReportFiled(ILogger logger, string number, InvoiceKind kind, decimal amount);

    [LoggerMessage(6, LogLevel.Information, "Task \"{Title}\" was done before it fell due: no reminder")]
    public static partial void TaskDoneInTime(ILogger logger, string title);

    [LoggerMessage(7, LogLevel.Information, "Task \"{Title}\" was rescheduled or reassigned: this reminder is stale")]
    public static partial void TaskReminderStale(ILogger logger, string title);
}
