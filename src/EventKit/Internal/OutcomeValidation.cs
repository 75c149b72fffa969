namespace EventKit.Internal;

/// <summary>The shape every store requires of an <see cref="EventOutcome"/>.</summary>
internal static class OutcomeValidation
{
    public static void Validate(EventOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var valid = outcome.Status switch
        {
            EventStatus.Completed or EventStatus.DeadLetter => outcome.ProcessedAt is not null,
            EventStatus.Failed or EventStatus.Pending => outcome.AvailableAt is not null,
            _ => false,
        };
        if (!valid)
        {
            throw new ArgumentException(
                $"Outcome for event {outcome.EventId} is invalid: status {outcome.Status} needs {(outcome.Status is EventStatus.Completed or EventStatus.DeadLetter ? "ProcessedAt" : "AvailableAt")}; Processing is not an outcome.",
                nameof(outcome));
        }
    }
}
