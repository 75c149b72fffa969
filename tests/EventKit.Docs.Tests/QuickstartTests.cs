using EventKit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventKit.Docs.Tests;

/// <summary>Runs the README's quickstart: its registration, event, handler and both forms of publishing.</summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task Quickstart_PublishesTheSameEventInBothForms_AndTheHandlerWelcomesTheUser()
    {
        var email = new FakeEmailSender();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IEmailSender>(email);
        QuickstartSnippets.Register(builder);
        await using var harness = EventKitHarness.Create(builder.Services);

        var user = new User { Email = "ana@example.com", Name = "Ana" };
        await harness.RunInScopeAsync(sp => QuickstartSnippets.CreateUserAsync(sp.GetRequiredService<IEventPublisher>(), user));
        var result = await harness.DrainAsync();

        Assert.Equal(2, result.Completed);
        await harness.EnsureAllCompletedAsync();
        Assert.Equal([("ana@example.com", "Welcome, Ana!"), ("ana@example.com", "Welcome, Ana!")], email.Sent);
        Assert.Equal(5, harness.Services.GetRequiredService<IOptions<EventKitOptions>>().Value.MaxAttempts);

        // "this stores the same event": type, entity, entity id and payload JSON are equal.
        var typed = harness.PublishedEvents[0];
        var untyped = harness.PublishedEvents[1];
        Assert.Equal(("user.created", "user", user.Id.ToString(), $$"""{"userId":"{{user.Id}}","email":"ana@example.com","name":"Ana"}"""), (typed.Type, typed.Entity, typed.EntityId, typed.Payload));
        Assert.Equal((typed.Type, typed.Entity, typed.EntityId, typed.Payload), (untyped.Type, untyped.Entity, untyped.EntityId, untyped.Payload));
    }

    [Fact]
    public async Task Quickstart_RunsInAStartedHost()
    {
        var email = new SignallingEmailSender();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IEmailSender>(email);
        QuickstartSnippets.Register(builder);
        using var host = builder.Build();
        await host.StartAsync();   // validates the options

        var user = new User { Email = "ana@example.com", Name = "Ana" };
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await QuickstartSnippets.CreateUserAsync(scope.ServiceProvider.GetRequiredService<IEventPublisher>(), user);
        }

        // The publish wakes the background processor; the handler's e-mail completes the task (no polling).
        await email.SentTwice.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync();    // waits for the batch to be settled

        var metrics = await host.Services.GetRequiredService<IEventOperations>().GetMetricsAsync();
        Assert.Equal(2, metrics.Completed);
    }

    private sealed class SignallingEmailSender : IEmailSender
    {
        private int _sent;

        public TaskCompletionSource SentTwice { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SendAsync(string to, string subject, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _sent) == 2)
            {
                SentTwice.SetResult();
            }

            return Task.CompletedTask;
        }
    }
}
