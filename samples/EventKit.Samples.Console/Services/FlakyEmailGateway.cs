using System.Collections.Concurrent;
using System.Net.Mail;

namespace Workspace.Services;

/// <summary>
/// Stands in for a real SMTP relay, and behaves like one on a bad day: it refuses the first delivery with a
/// temporary error ("try again later"). The handler that sent it fails, and EventKit retries it after a backoff.
/// </summary>
public sealed class FlakyEmailGateway : IEmailGateway
{
    private readonly ConcurrentQueue<EmailMessage> _refused = new();
    private int _deliveries;

    /// <summary>The deliveries refused so far, for the run's summary.</summary>
    public IReadOnlyCollection<EmailMessage> Refused => _refused;

    public Task DeliverAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _deliveries) == 1)
        {
            _refused.Enqueue(message);
            throw new SmtpException(SmtpStatusCode.ServiceNotAvailable, "421 4.3.2 smtp.workspace.test: service not available, try again later");
        }

        return Task.CompletedTask;
    }
}
