namespace Workspace.Domain;

/// <summary>
/// An email the email gateway accepted: the <c>emails</c> table, a log a reader can query. Unique per
/// (event, template, recipient), so a handler that runs twice for one event cannot record (or send) it twice.
/// </summary>
public sealed class Email
{
    public long Id { get; set; }

    /// <summary>The event whose handler sent it.</summary>
    public Guid EventId { get; set; }

    public string Template { get; set; } = "";

    public string To { get; set; } = "";

    public string Subject { get; set; } = "";

    public string Body { get; set; } = "";

    public DateTimeOffset SentAt { get; set; }
}
