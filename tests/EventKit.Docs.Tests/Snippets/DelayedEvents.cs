namespace EventKit.Docs.Tests;

// README "Delayed events". DelayedEventsTests runs it.
public static class DelayedEventsSnippets
{
    public static async Task ScheduleTrialReminderAsync(IEventPublisher publisher, User user)
    {
        // <readme:delayed-events>
        // Remind the user three days before the trial ends; no handler sees the event before then.
        await publisher.PublishAsync(
            new TrialEnding(user.Id, user.TrialEndsAt),
            new PublishOptions { AvailableAt = user.TrialEndsAt.AddDays(-3) });
        // </readme:delayed-events>
    }
}
