using EventKit.ContractTests;
using EventKit.InMemory;
using EventKit.Internal;
using EventKit.Internal.Processing;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>Per-handler options: a stable name, and a handler's own timeout, attempts, backoff and concurrency.</summary>
public sealed class HandlerOptionsTests
{
    [Fact]
    public async Task Name_IsTheHandlersIdentity_SoARenamedClassKeepingItIsNotRunAgain()
    {
        var store = new InMemoryEventStore();
        Guid id;
        await using (var before = Create(store, b => b
            .AddHandler<WelcomeEmailHandler>(o => o.Name = "welcome-email")
            .AddHandler<WelcomeNotificationHandler>()))
        {
            before.Probe.FailTimes(nameof(WelcomeNotificationHandler), 1);
            id = await before.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
            await before.DrainAsync();
            (await before.GetLogAsync(id)).Should().Contain(l => l.Handler == "welcome-email" && l.Result == EventLogResult.Success);
        }

        // The next version of the application renamed the class, and kept its name.
        await using var after = Create(store, b => b
            .AddHandler<RenamedWelcomeEmailHandler>(o => o.Name = "welcome-email")
            .AddHandler<WelcomeNotificationHandler>());
        after.Time.Advance(TimeSpan.FromMinutes(1));
        await after.DrainAsync();

        (await after.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        after.Probe.CountCalls(nameof(RenamedWelcomeEmailHandler)).Should().Be(0, "the handler named 'welcome-email' already succeeded for this event");
    }

    [Fact]
    public void DuplicateNames_ForOneEventType_FailAtRegistration_NamingBoth()
    {
        var services = new ServiceCollection();
        var builder = services.AddEventKit().AddHandler<WelcomeEmailHandler>(o => o.Name = "greet");

        var register = () => builder.AddHandler<WelcomeNotificationHandler>(o => o.Name = "greet");

        register.Should().Throw<InvalidOperationException>()
            .WithMessage($"*'{typeof(WelcomeEmailHandler).FullName}' and '{typeof(WelcomeNotificationHandler).FullName}' are both named 'greet' for event type 'user.created'*EventHandlerOptions.Name*");
    }

    [Theory]
    [InlineData("MaxAttempts", "EventHandlerOptions.MaxAttempts must be between 1 and 100; it was 0.")]
    [InlineData("Timeout", "EventHandlerOptions.Timeout must be between 00:00:00.0010000 and 1.00:00:00 (or Timeout.InfiniteTimeSpan); it was -00:00:02.")]
    [InlineData("MaxConcurrency", "EventHandlerOptions.MaxConcurrency must be between 1 and 1,000; it was 0.")]
    [InlineData("Name", "EventHandlerOptions.Name must be non-blank, at most 200 characters, without NUL characters or unpaired surrogates; it was ' '.")]
    [InlineData("Delays", "EventHandlerOptions.RetryMaxDelay must be at least RetryBaseDelay (00:01:00); it was 00:00:10.")]
    public void InvalidOption_FailsAtRegistration_NamingItAndItsRange(string option, string message)
    {
        var builder = new ServiceCollection().AddEventKit();

        var register = () => builder.AddHandler<WelcomeEmailHandler>(o =>
        {
            switch (option)
            {
                case "MaxAttempts": o.MaxAttempts = 0; break;
                case "Timeout": o.Timeout = TimeSpan.FromSeconds(-2); break;
                case "MaxConcurrency": o.MaxConcurrency = 0; break;
                case "Name": o.Name = " "; break;
                default: (o.RetryBaseDelay, o.RetryMaxDelay) = (TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10)); break;
            }
        });

        register.Should().Throw<ArgumentException>().Which.Message.Should().Contain(message).And.Contain(nameof(WelcomeEmailHandler));
    }

    [Fact]
    public void OwnRetryBaseDelay_AboveTheDefaultMaximum_FailsAtStartUp_NamingTheHandler()
    {
        var services = new ServiceCollection();
        services.AddEventKit().AddHandler<WelcomeEmailHandler>(o => o.RetryBaseDelay = TimeSpan.FromMinutes(10));
        using var provider = services.BuildServiceProvider();

        var start = () => provider.GetRequiredService<IOptions<EventKitOptions>>().Value;

        start.Should().Throw<OptionsValidationException>().WithMessage($"*Handler '{nameof(WelcomeEmailHandler)}' of event type 'user.created'*RetryMaxDelay (00:05:00) is below RetryBaseDelay (00:10:00)*");
    }

    [Fact]
    public async Task OwnTimeout_CancelsThatHandler_WhileOthersKeepTheDefault()
    {
        await using var host = PipelineHost.Create(
            o => o.HandlerTimeout = TimeSpan.FromMinutes(1),
            b => b.AddHandler<StepHandler>(o => o.Timeout = TimeSpan.FromSeconds(2)));
        var token = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("slow", run =>
        {
            token.TrySetResult(run.Token);
            return Task.Delay(Timeout.InfiniteTimeSpan, run.Token);
        });
        var id = await host.PublishStepAsync("slow");
        host.Start();
        var handed = await token.Task.WaitAsync(TimeSpan.FromSeconds(30));

        host.Time.Advance(TimeSpan.FromSeconds(2));
        handed.IsCancellationRequested.Should().BeTrue("the handler's own timeout is 2 s");
        await host.WaitUntilAsync(() => host.Recorded.Count == 1, "the run is recorded");
        (await host.GetAsync(id)).Event.LastError.Should().Contain("its EventHandlerOptions.Timeout (00:00:02)");
    }

    [Fact]
    public async Task OwnMaxAttemptsAndBackoff_DecideTheRetry_OfTheEventItFails()
    {
        await using var app = TestApp.Create(
            b => b.UseInMemoryStore(),
            o => o.MaxAttempts = 5,
            b => b.AddHandler<WelcomeEmailHandler>(o =>
            {
                o.MaxAttempts = 2;
                o.RetryBaseDelay = TimeSpan.FromMinutes(3);
                o.RetryMaxDelay = TimeSpan.FromMinutes(3);
            }).AddHandler<WelcomeNotificationHandler>(),
            s => s.Replace(ServiceDescriptor.Singleton(new RetryPolicy(() => 0.5))));
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var id = await app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));

        await app.DrainAsync();
        var failed = await app.GetAsync(id);
        failed.Status.Should().Be(EventStatus.Failed);
        failed.AvailableAt.Should().Be(TestApp.Start.AddMinutes(3), "the failing handler's own backoff, not the default 10 s");

        app.Time.Advance(TimeSpan.FromMinutes(3));
        await app.DrainAsync();
        var dead = await app.GetAsync(id);
        dead.Status.Should().Be(EventStatus.DeadLetter, "the failing handler allows 2 attempts, though the default is 5");
        dead.LastError.Should().StartWith($"Failed after 2 attempts (MaxAttempts 2 of handler '{nameof(WelcomeEmailHandler)}').");
    }

    [Fact]
    public async Task OwnMaxConcurrency_LimitsThatHandler_WhileOtherEventsGoOn()
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.MaxConcurrency = 3;
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
            },
            b => b.AddHandler<StepHandler>().AddHandler<LimitedHandler>(o => o.MaxConcurrency = 2),
            s => s.AddSingleton<Gauge>());
        var gauge = (Gauge)host.Services.GetRequiredService(typeof(Gauge));
        for (var i = 0; i < 6; i++)
        {
            await host.PublishAsync(new RateLimited($"r{i}"));
        }

        for (var i = 0; i < 10; i++)
        {
            await host.PublishStepAsync($"other{i}");
        }

        host.Start();

        // Two limited runs hold their slots; the four other limited events are parked, not holding workers, so the
        // third worker runs every other event.
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 10 && gauge.Running == 2, "the other events complete while two limited runs go on");
        gauge.Started.Should().Be(2);

        gauge.Release.SetResult();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 16, "every limited event completes");
        gauge.MaxRunning.Should().Be(2, "at most MaxConcurrency runs of the handler at once");
        gauge.Started.Should().Be(6, "each limited event ran once");
    }

    [Fact]
    public async Task OwnMaxConcurrency_OfAHandlerOfTwoEventTypes_CapsItsRunsOfBoth()
    {
        // README: MaxConcurrency "caps the runs of this handler one processor runs at once" (the service it calls takes
        // that many calls): one class registered once for two event types is one handler, with one cap.
        await using var host = PipelineHost.Create(
            o =>
            {
                o.MaxConcurrency = 3;
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
            },
            b => b.AddHandler<StepHandler>().AddHandler<TwoTypeLimitedHandler>(o => o.MaxConcurrency = 1),
            s => s.AddSingleton<Gauge>());
        var gauge = (Gauge)host.Services.GetRequiredService(typeof(Gauge));
        await host.PublishAsync(new RateLimited("r0"));
        await host.PublishAsync(new RateLimitedToo("t0"));
        await host.PublishStepAsync("other");

        host.Start();

        // Workers take events in order, so both limited events reached the handler's limit before the third one ran.
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 1 && gauge.Running == 1, "the other event completes while one limited run goes on");
        gauge.Release.SetResult();
        await host.WaitUntilAsync(() => host.RecordedCount(EventStatus.Completed) == 3, "both limited events complete");
        gauge.MaxRunning.Should().Be(1, "the handler's one slot is shared by the event types it handles");
        gauge.Started.Should().Be(2);
    }

    [Fact]
    public async Task EventsParkedAtAHandlersLimit_AreReleasedAtStop_WithoutCountingTheAttempt()
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.MaxConcurrency = 2;
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
                o.ShutdownTimeout = TimeSpan.Zero;
            },
            b => b.AddHandler<LimitedHandler>(o => o.MaxConcurrency = 1),
            s => s.AddSingleton<Gauge>());
        var gauge = (Gauge)host.Services.GetRequiredService(typeof(Gauge));
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await host.PublishAsync(new RateLimited($"r{i}")));
        }

        host.Start();
        await host.WaitUntilAsync(() => gauge.Running == 1, "one limited run holds the slot");
        await host.StopAsync();

        var records = await Task.WhenAll(ids.Select(id => host.GetAsync(id)));
        records.Select(r => r.Event).Should().OnlyContain(e => e.Status == EventStatus.Pending && e.Attempts - e.UncountedAttempts == 0,
            "the running one was cancelled at stop and released, the parked ones were released");
        records.Select(r => r.Event.Attempts).Order().Should().Equal([0, 0, 1], "the interrupted run keeps its attempt number; the parked ones never started");
    }

    [EventType("rate.limited", Entity = "call")]
    public sealed record RateLimited([property: EntityId] string Name);

    /// <summary>Counts runs in progress of <see cref="LimitedHandler"/>; runs wait for <see cref="Release"/>.</summary>
    public sealed class Gauge
    {
        private int _running;
        private int _maxRunning;
        private int _started;

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        public int Started => Volatile.Read(ref _started);

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _started);
            var running = Interlocked.Increment(ref _running);
            int max;
            while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
            {
            }

            try
            {
                await Release.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }

    public sealed class LimitedHandler(Gauge gauge) : IEventHandler<RateLimited>
    {
        public Task HandleAsync(EventContext<RateLimited> context, CancellationToken cancellationToken) => gauge.RunAsync(cancellationToken);
    }

    [EventType("rate.limited.too", Entity = "call")]
    public sealed record RateLimitedToo([property: EntityId] string Name);

    public sealed class TwoTypeLimitedHandler(Gauge gauge) : IEventHandler<RateLimited>, IEventHandler<RateLimitedToo>
    {
        public Task HandleAsync(EventContext<RateLimited> context, CancellationToken cancellationToken) => gauge.RunAsync(cancellationToken);

        public Task HandleAsync(EventContext<RateLimitedToo> context, CancellationToken cancellationToken) => gauge.RunAsync(cancellationToken);
    }

    public sealed class RenamedWelcomeEmailHandler(HandlerProbe probe) : IEventHandler<UserCreated>
    {
        public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken) =>
            probe.InvokeAsync(nameof(RenamedWelcomeEmailHandler), context.Id, context.Attempt, context.Payload, cancellationToken);
    }

    private static TestApp Create(InMemoryEventStore store, Action<IEventKitBuilder> handlers) =>
        TestApp.Create(b => b.Services.Replace(ServiceDescriptor.Singleton<IEventStore>(store)), handlers: handlers);
}
