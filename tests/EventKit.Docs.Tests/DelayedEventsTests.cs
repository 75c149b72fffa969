using EventKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>Runs the README's "Delayed events" snippet on the harness's clock.</summary>
public sealed class DelayedEventsTests
{
    private readonly TrialReminderHandler.Runs _runs = new();

    [Fact]
    public async Task DelayedEvent_IsNotHandledBeforeItsAvailableAt()
    {
        await using var harness = Create();
        var now = harness.Time.GetUtcNow();
        var user = new User { Email = "ana@example.com", Name = "Ana", TrialEndsAt = now.AddDays(10) };

        await harness.RunInScopeAsync(sp => DelayedEventsSnippets.ScheduleTrialReminderAsync(sp.GetRequiredService<IEventPublisher>(), user));
        var early = await harness.DrainAsync();
        Assert.Equal((0, now.AddDays(7)), (early.Processed, early.NextDueAt));

        harness.AdvanceTime(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await harness.DrainAsync()).Processed);

        harness.AdvanceTime(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await harness.DrainAsync()).Completed);
        Assert.Equal([now.AddDays(7)], _runs.At);
    }

    [Fact]
    public async Task AvailableAtInThePast_MeansAtOnce()
    {
        await using var harness = Create();
        var user = new User { Email = "ana@example.com", Name = "Ana", TrialEndsAt = harness.Time.GetUtcNow().AddDays(1) };

        await harness.RunInScopeAsync(sp => DelayedEventsSnippets.ScheduleTrialReminderAsync(sp.GetRequiredService<IEventPublisher>(), user));

        Assert.Equal(1, (await harness.DrainAsync()).Completed);
    }

    private EventKitHarness Create() => EventKitHarness.Create(b => b.AddHandler<TrialReminderHandler>(), services: s => s.AddSingleton(_runs));
}
