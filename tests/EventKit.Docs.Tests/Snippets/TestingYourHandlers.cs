using EventKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>README "Testing your handlers": the example is this test's body.</summary>
public sealed class TestingYourHandlersTests
{
    [Fact]
    public async Task WelcomeEmail_IsSent_AfterARetry()
    {
        // <readme:testing-your-handlers>
        var email = new FakeEmailSender { FailuresLeft = 1 };
        await using var harness = EventKitHarness.Create(
            b => b.AddHandler<UserCreatedHandler>(),
            o => o.RetryBaseDelay = TimeSpan.FromSeconds(30),
            s => s.AddSingleton<IEmailSender>(email));

        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));
        await harness.DrainAsync();                                // attempt 1: the SMTP server is down
        Assert.Equal(EventStatus.Failed, await harness.GetStatusAsync(id));

        harness.AdvanceTime(TimeSpan.FromMinutes(1));              // past the backoff
        await harness.DrainAsync();                                // attempt 2 succeeds

        await harness.EnsureCompletedAsync(id);                    // throws with the failures if not
        Assert.Single(email.Sent);
        Assert.Single(harness.Published<NotificationSent>());      // what the handler published
        Assert.Equal([false, true], harness.HandlerRunsFor(id).Select(r => r.Succeeded));
        // </readme:testing-your-handlers>
    }
}
