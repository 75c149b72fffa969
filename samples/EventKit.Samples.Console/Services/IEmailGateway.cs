namespace Workspace.Services;

/// <summary>Delivers email (SMTP, an email API, …).</summary>
public interface IEmailGateway
{
    Task DeliverAsync(EmailMessage message, CancellationToken cancellationToken);
}
