using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Workspace.Data;
using Workspace.Domain;

namespace Workspace.Services;

/// <summary>Sends an email through the gateway and records it in the <c>emails</c> table.</summary>
public sealed class EmailService(WorkspaceDbContext db, IEmailGateway gateway, TimeProvider time, ILogger<EmailService> logger)
{
    /// <summary>
    /// Sends <paramref name="template"/> to <paramref name="to"/> once per event: if this event's handler already
    /// sent it (an earlier attempt that failed later, or a duplicate delivery of the event), nothing is sent.
    /// </summary>
    public async Task SendAsync(Guid eventId, string template, string to, string subject, string body, CancellationToken cancellationToken)
    {
        if (await db.Emails.AnyAsync(e => e.EventId == eventId && e.Template == template && e.To == to, cancellationToken))
        {
            Log.EmailAlreadySent(logger, template, to);
            return;
        }

        // A crash between delivery and SaveChanges would send it again on the next attempt: at-least-once, like
        // every side effect outside the database. The unique index on (event_id, template, to) backs the check above.
        await gateway.DeliverAsync(new EmailMessage(to, subject, body, eventId), cancellationToken);
        db.Emails.Add(new Email
        {
            EventId = eventId,
            Template = template,
            To = to,
            Subject = subject,
            Body = body,
            SentAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        Log.EmailSent(logger, template, to, subject);
    }
}
