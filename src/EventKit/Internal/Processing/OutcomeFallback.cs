namespace EventKit.Internal.Processing;

/// <summary>
/// The plainest form of an outcome, for a store that refuses the original: the same status, times and log rows,
/// with every error text replaced by a fixed ASCII note and names cut to their column sizes.
/// </summary>
internal static class OutcomeFallback
{
    public const string Note = "EventKit could not store this error text; the application log has the error.";

    private const int MaxNameLength = 200;

    public static bool HasTexts(EventOutcome outcome)
    {
        if (outcome.Error is not null and not Note)
        {
            return true;
        }

        foreach (var log in outcome.Logs)
        {
            if (log.Error is not null and not Note || log.Handler.Length > MaxNameLength || log.Actor?.Length > MaxNameLength)
            {
                return true;
            }
        }

        return false;
    }

    public static EventOutcome WithoutTexts(EventOutcome outcome)
    {
        var logs = new EventLogEntry[outcome.Logs.Count];
        for (var i = 0; i < logs.Length; i++)
        {
            var log = outcome.Logs[i];
            logs[i] = new EventLogEntry
            {
                Id = log.Id,
                EventId = log.EventId,
                Handler = Cut(log.Handler),
                Actor = log.Actor is null ? null : Cut(log.Actor),
                Result = log.Result,
                Error = log.Error is null ? null : Note,
                Attempt = log.Attempt,
                Duration = log.Duration,
                CreatedAt = log.CreatedAt,
            };
        }

        return new EventOutcome
        {
            EventId = outcome.EventId,
            Status = outcome.Status,
            AvailableAt = outcome.AvailableAt,
            ProcessedAt = outcome.ProcessedAt,
            Error = outcome.Error is null ? null : Note,
            Logs = logs,
        };
    }

    private static string Cut(string value) => ErrorText.Sanitize(value, MaxNameLength)!;
}
