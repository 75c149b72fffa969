using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventKit.Testing.Tests;

public sealed class EventKitHarnessTests
{
    private readonly FakeEmailSender _email = new();

    private EventKitHarness CreateHarness(Action<EventKitOptions>? options = null) =>
        EventKitHarness.Create(b => b.AddHandler<UserCreatedHandler>(), options, s => s.AddSingleton<IEmailSender>(_email));

    [Fact]
    public async Task Drain_RunsHandlers_AndEventsTheyPublish()
    {
        await using var harness = CreateHarness();
        var user = new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana");

        var id = await harness.PublishAsync(user);
        var result = await harness.DrainAsync();

        result.Processed.Should().Be(2, "the handler's notification event is processed in the same drain");
        result.Completed.Should().Be(2);
        result.NextDueAt.Should().BeNull();
        _email.Sent.Should().Equal(("ana@example.com", "Welcome, Ana"));
        harness.Published<UserCreated>().Should().Equal(user);
        harness.Published<NotificationSent>().Should().Equal(new NotificationSent(user.UserId, "Bienvenido"));
        harness.PublishedEvents.Select(e => e.Type).Should().Equal("user.created", "notification.sent");
        harness.HandlerRuns.Should().ContainSingle().Which.Should().BeEquivalentTo(new { EventId = id, Handler = "UserCreatedHandler", Attempt = 1, Succeeded = true, Exception = (Exception?)null });
        await harness.EnsureAllCompletedAsync();
    }

    [Fact]
    public async Task Drain_WhenTheStoreCannotRecordOutcomes_FailsWithTheStoreError_InsteadOfWaitingOnTheFakeClock()
    {
        var inner = new ServiceCollection().AddEventKit().Services.BuildServiceProvider().GetRequiredService<IEventStore>();
        await using var harness = EventKitHarness.Create(
            b => b.AddHandler<UserCreatedHandler>().Services.Replace(ServiceDescriptor.Singleton<IEventStore>(new SettleFailingStore(inner))),
            services: s => s.AddSingleton<IEmailSender>(_email));
        await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", "Ana"));

        var drain = () => harness.DrainAsync().WaitAsync(TimeSpan.FromSeconds(30));

        (await drain.Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("The store refused to record the outcome of 1 events: The database did not answer.")
            .WithInnerException<TimeoutException>();
        _email.Sent.Should().ContainSingle("the handler ran; only recording its outcome failed");
    }

    [Fact]
    public async Task Drain_LeavesLaterRetriesForAdvanceTime()
    {
        await using var harness = CreateHarness(o => o.RetryBaseDelay = TimeSpan.FromMinutes(1));
        _email.FailuresLeft = 1;
        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));

        var first = await harness.DrainAsync();

        first.Failed.Should().Be(1);
        first.NextDueAt.Should().BeOnOrAfter(EventKitHarness.DefaultStartTime.AddSeconds(48)).And.BeOnOrBefore(EventKitHarness.DefaultStartTime.AddSeconds(72));
        harness.Failures.Should().ContainSingle().Which.Exception.Should().BeOfType<HttpRequestException>();

        harness.AdvanceTime(TimeSpan.FromMinutes(2));
        var second = await harness.DrainAsync();

        second.Completed.Should().Be(2);
        (await harness.GetStatusAsync(id)).Should().Be(EventStatus.Completed);
        harness.HandlerRunsFor(id).Select(r => (r.Attempt, r.Succeeded)).Should().Equal((1, false), (2, true));
        (await harness.GetEventAsync(id)).Log.Should().HaveCount(2);
    }

    [Fact]
    public async Task DrainUntilIdle_MovesTheClockToDelayedEvents()
    {
        await using var harness = CreateHarness();
        var dueAt = EventKitHarness.DefaultStartTime.AddHours(6);
        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"), new PublishOptions { AvailableAt = dueAt });

        (await harness.DrainAsync()).Should().BeEquivalentTo(new { Processed = 0, NextDueAt = (DateTimeOffset?)dueAt });
        var result = await harness.DrainUntilIdleAsync();

        result.Completed.Should().Be(2);
        harness.Time.GetUtcNow().Should().Be(dueAt);
        (await harness.GetStatusAsync(id)).Should().Be(EventStatus.Completed);
    }

    [Fact]
    public async Task DrainUntilIdle_WhenEventsWaitBeyondMaxTime_ThrowsDescribingThem()
    {
        await using var harness = CreateHarness(o =>
        {
            o.MaxAttempts = 5;
            o.RetryBaseDelay = TimeSpan.FromMinutes(10);
            o.RetryMaxDelay = TimeSpan.FromHours(1);
        });
        _email.FailuresLeft = 100;
        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));

        var drain = () => harness.DrainUntilIdleAsync(TimeSpan.FromMinutes(15));

        var message = (await drain.Should().ThrowAsync<EventKitHarnessException>()).Which.Message;
        message.Should().Contain($"user.created {id}: failed after 2 attempt(s)")
            .And.Contain("UserCreatedHandler for user.created")
            .And.Contain("attempt 1: failed (HttpRequestException: smtp unavailable)")
            .And.Contain("attempt 2: failed (HttpRequestException: smtp unavailable)");
    }

    [Fact]
    public async Task DrainUntilIdle_WhenATypeIsPaused_ThrowsSayingSo_InsteadOfReturningIdle()
    {
        await using var harness = CreateHarness();
        (await harness.Operations.PauseAsync("user.created", "ops", "maintenance")).Should().BeTrue();
        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));

        var drain = () => harness.DrainUntilIdleAsync(TimeSpan.FromHours(1));

        (await drain.Should().ThrowAsync<EventKitHarnessException>()).Which.Message.Should()
            .Contain("none comes due later")
            .And.Contain($"user.created {id}: pending after 0 attempt(s)")
            .And.Contain("its type is paused");
        _email.Sent.Should().BeEmpty();
    }

    [Fact]
    public async Task DrainUntilIdle_WhenAnEntityWaitsBehindADeadLetterUnderWait_ThrowsSayingSo()
    {
        await using var harness = CreateHarness(o =>
        {
            o.MaxAttempts = 1;
            o.OrderedDeadLetters = OrderedDeadLetterPolicy.Wait;
        });
        _email.FailuresLeft = 1;
        var user = Guid.NewGuid();
        var ordered = new PublishOptions { Ordered = true };
        var first = await harness.PublishAsync(new UserCreated(user, "a@b.c", "A"), ordered);
        var second = await harness.PublishAsync(new UserCreated(user, "a@b.c", "A again"), ordered);

        var drain = () => harness.DrainUntilIdleAsync(TimeSpan.FromHours(1));

        (await drain.Should().ThrowAsync<EventKitHarnessException>()).Which.Message.Should()
            .Contain($"user.created {second}: pending after 0 attempt(s)")
            .And.Contain("held back behind an earlier ordered event of its entity");
        (await harness.GetStatusAsync(first)).Should().Be(EventStatus.DeadLetter);
    }

    /// <summary>
    /// A handler waiting for time the harness measures (its clock never moves during a drain) would hang the test: a
    /// cancelled drain cancels it, releases its event without counting the attempt, and throws OperationCanceledException.
    /// </summary>
    [Fact]
    public async Task Drain_Cancelled_CancelsAHangingHandler_ReleasesItsEvent_AndThrows()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = EventKitHarness.Create(b => b.AddHandler<HangingHandler>(), services: s => s.AddSingleton(started));
        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        using var cancel = new CancellationTokenSource();

        var drain = harness.DrainAsync(cancel.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        var thrown = await drain.Invoking(d => d.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>();

        thrown.Which.CancellationToken.Should().Be(cancel.Token);
        thrown.Which.Message.Should().Contain("after 0 event attempts", "the interrupted attempt is released, not counted");
        var record = (await harness.GetEventAsync(id)).Event;
        record.Should().Match<EventRecord>(e => e.Status == EventStatus.Pending && e.Attempts - e.UncountedAttempts == 0 && e.LockedBy == null);
        record.LastError.Should().Contain("a drain was cancelled");
    }

    /// <summary>
    /// The same guard on <see cref="EventKitHarness.DrainUntilIdleAsync"/>. It went on after the cancelled drain and
    /// threw <see cref="EventKitHarnessException"/> "Events are still waiting, and none comes due later" for the event
    /// the cancellation had just released, due at once: a wrong diagnosis of a cancelled test.
    /// </summary>
    [Fact]
    public async Task DrainUntilIdle_Cancelled_CancelsAHangingHandler_AndThrows()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = EventKitHarness.Create(b => b.AddHandler<HangingHandler>(), services: s => s.AddSingleton(started));
        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        using var cancel = new CancellationTokenSource();

        var drain = harness.DrainUntilIdleAsync(cancellationToken: cancel.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();

        await drain.Invoking(d => d.WaitAsync(TimeSpan.FromSeconds(30))).Should().ThrowAsync<OperationCanceledException>();
        (await harness.GetStatusAsync(id)).Should().Be(EventStatus.Pending);
    }

    public sealed class HangingHandler(TaskCompletionSource started) : IEventHandler<UserCreated>
    {
        public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken)
        {
            started.TrySetResult();
            return Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }
    }

    [Fact]
    public async Task PublishMany_AndPublishWithAnEntityId_AsThePublisherDoes()
    {
        var calls = new TestEventHandler.Calls();
        await using var harness = EventKitHarness.Create(
            b => b.AddHandler<UserCreatedHandler>().AddHandler<TestEventHandler>(),
            services: s => s.AddSingleton<IEmailSender>(_email).AddSingleton(calls));

        var users = await harness.PublishManyAsync([new UserCreated(Guid.NewGuid(), "a@b.c", "A"), new UserCreated(Guid.NewGuid(), "b@b.c", "B")]);
        var test = await harness.PublishAsync(new TestEvent("no [EntityId]"), "t-1");
        await harness.DrainAsync();

        users.Should().HaveCount(2).And.OnlyHaveUniqueItems();
        await harness.EnsureAllCompletedAsync();
        (await harness.GetEventAsync(test)).Event.EntityId.Should().Be("t-1");
        calls.Count.Should().Be(1);
        _email.Sent.Should().HaveCount(2);
        harness.PublishedEvents.Select(e => e.Id).Should().Contain(users).And.Contain(test);
    }

    [Fact]
    public async Task EnsureCompleted_OnADeadLetter_ThrowsWithTheHandlerFailure()
    {
        await using var harness = CreateHarness(o => o.MaxAttempts = 1);
        _email.FailuresLeft = 1;
        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        await harness.DrainUntilIdleAsync();

        var ensure = () => harness.EnsureCompletedAsync(id);

        (await ensure.Should().ThrowAsync<EventKitHarnessException>()).Which.Message.Should()
            .Contain($"Expected event {id} to be completed.")
            .And.Contain("dead_letter after 1 attempt(s)")
            .And.Contain("HttpRequestException: smtp unavailable");
        (await harness.GetDeadLettersAsync()).Should().ContainSingle(e => e.Id == id);
        var all = () => harness.EnsureAllCompletedAsync();
        (await all.Should().ThrowAsync<EventKitHarnessException>()).Which.Message.Should().Contain("1 of 1 are not");
    }

    [Fact]
    public async Task Create_FromTheApplicationsServices_UsesTheFakeClockAndStartsNoLoop()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IEmailSender>(_email);
        services.AddEventKit().AddHandler<UserCreatedHandler>(); // as the application's own AddXyz() would

        await using var harness = EventKitHarness.Create(services);
        await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));

        harness.Services.GetRequiredService<TimeProvider>().Should().BeSameAs(harness.Time);
        harness.Services.GetServices<IHostedService>().Should().NotBeEmpty("the hosted services are registered, but the harness never starts them");
        _email.Sent.Should().BeEmpty("nothing runs before DrainAsync");
        await harness.DrainAsync();
        _email.Sent.Should().ContainSingle();
        harness.PublishedEvents.Should().OnlyContain(e => e.CreatedAt == EventKitHarness.DefaultStartTime);
    }

    [Fact]
    public void Create_WithoutEventKit_ThrowsSayingWhatToCall()
    {
        var create = () => EventKitHarness.Create(new ServiceCollection());

        create.Should().Throw<InvalidOperationException>().WithMessage("*call services.AddEventKit()*");
    }

    [Fact]
    public void Create_WithInvalidOptions_ThrowsTheValidationMessage()
    {
        var create = () => EventKitHarness.Create(b => { }, o => o.MaxAttempts = 0);

        create.Should().Throw<OptionsValidationException>().WithMessage("*EventKitOptions.MaxAttempts must be between 1 and 100; it was 0.*");
    }

    [Fact]
    public async Task PublishAsync_WithInvalidArguments_ThrowsLikeThePublisher()
    {
        await using var harness = CreateHarness();

        var publish = () => harness.PublishAsync("Bad Type", "x", "1", new { });

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("type");
        harness.PublishedEvents.Should().BeEmpty();
    }

    [Fact]
    public async Task AdvanceTime_Negative_Throws()
    {
        await using var harness = CreateHarness();

        var advance = () => harness.AdvanceTime(TimeSpan.FromSeconds(-1));

        advance.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("delta");
    }
}
