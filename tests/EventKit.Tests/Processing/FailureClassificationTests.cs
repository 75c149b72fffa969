using System.Text.Json;
using System.Text.Json.Serialization;
using EventKit.Internal.Processing;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// How a handler run's ending decides its event's outcome: non-retryable failures however they arrive, interruptions
/// by a stopping host, a deserialization that hangs, and retry times at the end of the calendar.
/// </summary>
public sealed class FailureClassificationTests
{
    [Fact]
    public async Task NonRetryableException_WrappedInAggregateByWait_DeadLettersAtOnce()
    {
        await using var host = PipelineHost.Create(Retrying);
        host.Script.On("blocking", _ =>
        {
            // What a handler that waits synchronously on a task that threw sees: an AggregateException around it.
            Task.Run(() => throw new NonRetryableEventException("Invoice 42 does not exist.")).Wait();
            return Task.CompletedTask;
        });
        var id = await host.PublishStepAsync("blocking");
        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 1, "the outcome is recorded");

        var record = (await host.GetAsync(id)).Event;
        record.Status.Should().Be(EventStatus.DeadLetter, "the handler said retrying cannot help");
        record.Attempts.Should().Be(1);
        record.LastError.Should().Contain("Invoice 42 does not exist.");
    }

    [Fact]
    public async Task AggregateWithAnyNonRetryableInner_AmongRetryableOnes_NestedToo_DeadLettersAtOnce()
    {
        await using var host = PipelineHost.Create(Retrying);
        host.Script.On("mixed", _ => Task.WhenAll(
            Task.FromException(new TimeoutException("The mail server is slow.")),
            Task.FromException(new AggregateException(new NonRetryableEventException("The customer was deleted.")))).ContinueWith(t => t.Wait(), TaskScheduler.Default));
        var id = await host.PublishStepAsync("mixed");
        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 1, "the outcome is recorded");

        var record = (await host.GetAsync(id)).Event;
        record.Status.Should().Be(EventStatus.DeadLetter, "its non-retryable part fails the same way on every retry");
        record.LastError.Should().Contain("The customer was deleted.").And.Contain("The mail server is slow.");
    }

    [Fact]
    public async Task AggregateOfRetryableExceptionsOnly_IsRetried()
    {
        await using var host = PipelineHost.Create(Retrying);
        host.Script.On("flaky", _ => Task.FromException(new AggregateException(new IOException("a"), new AggregateException(new TimeoutException("b")))));
        var id = await host.PublishStepAsync("flaky");
        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 1, "the outcome is recorded");

        (await host.GetAsync(id)).Event.Status.Should().Be(EventStatus.Failed);
    }

    [Fact]
    public async Task HandlerGivingUpOnItsTokenAtShutdown_IsInterrupted_NotCounted()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            o.HandlerTimeout = TimeSpan.FromMinutes(10);
            o.MaxAttempts = 1;
        });
        var (id, _) = await host.StartPoliteRunAsync();

        var stop = host.StopAsync();
        host.Time.Advance(TimeSpan.FromSeconds(5));
        await stop;

        var details = await host.GetAsync(id);
        details.Event.Status.Should().Be(EventStatus.Pending, "with MaxAttempts 1 a counted failure would be a dead letter");
        details.Event.UncountedAttempts.Should().Be(1);
        details.Log.Should().ContainSingle().Which.Result.Should().Be(EventLogResult.Interrupted);
    }

    [Fact]
    public async Task HandlersOwnCancellation_DuringTheShutdownGrace_IsACountedFailure()
    {
        await using var host = PipelineHost.Create(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            o.MaxAttempts = 1;
        });
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var giveUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Script.On("own", async _ =>
        {
            using var own = new CancellationTokenSource();
            running.TrySetResult();
            await giveUp.Task;
            await own.CancelAsync();
            own.Token.ThrowIfCancellationRequested();
        });
        var id = await host.PublishStepAsync("own");
        host.Start();
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stop = host.StopAsync();
        giveUp.SetResult();
        await stop;

        var details = await host.GetAsync(id);
        details.Event.Status.Should().Be(EventStatus.DeadLetter, "its own token, not the stopping host, ended it");
        details.Log.Should().ContainSingle().Which.Result.Should().Be(EventLogResult.Failure);
    }

    [Fact]
    public async Task DeserializationThatHangs_IsCoveredByTheHandlerTimeout_AndWarned()
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.HandlerTimeout = TimeSpan.FromSeconds(5);
                o.RetryBaseDelay = TimeSpan.FromMinutes(1);
                o.RetryMaxDelay = TimeSpan.FromMinutes(1);
            },
            handlers: b => b.AddHandler<SlowHandler>());
        var id = await host.PublishAsync(new Slow("hang"));
        host.Start();
        await HangingConverter.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The watchdog's timer fires inside Advance: its warning comes as long again after the timeout.
        host.Time.Advance(TimeSpan.FromSeconds(5));
        host.Time.Advance(TimeSpan.FromSeconds(5));
        host.Logs.WithId(1018).Should().ContainSingle().Which.Message.Should().Contain(nameof(SlowHandler));

        HangingConverter.Release.Set();
        await host.WaitUntilAsync(() => host.Recorded.Count == 1, "the outcome is recorded");
        var record = (await host.GetAsync(id)).Event;
        record.Status.Should().Be(EventStatus.Failed, "the run timed out: the handler got a cancelled token");
        record.LastError.Should().Contain("did not finish within EventKitOptions.HandlerTimeout");
        SlowHandler.Handled.Should().BeFalse();
    }

    [Fact]
    public async Task RetryTimeBeyondDateTimeOffsetMaxValue_SaturatesInsteadOfFailingAsADefect()
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.RetryBaseDelay = TimeSpan.FromDays(1);
                o.RetryMaxDelay = TimeSpan.FromDays(7);
                o.MaxAttempts = 3;
            },
            services: s => s.Replace(ServiceDescriptor.Singleton(new RetryPolicy(() => 0.5))));
        // SequentialGuidTests relies on no test's clock passing the last second of year 9999 (ids are process-wide).
        host.Time.SetUtcNow(DateTimeOffset.MaxValue - TimeSpan.FromHours(1));
        host.Script.On("late", _ => throw new IOException("The disk is full."));
        var id = await host.PublishStepAsync("late");
        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 1, "the outcome is recorded");

        var record = (await host.GetAsync(id)).Event;
        record.Status.Should().Be(EventStatus.Failed, "a retry is scheduled as usual");
        record.AvailableAt.Should().Be(DateTimeOffset.MaxValue);
        record.LastError.Should().Contain("The disk is full.");
        host.Logs.WithId(1021).Should().BeEmpty("no EventKit defect happened");
    }

    private static void Retrying(EventKitOptions options)
    {
        options.RetryBaseDelay = TimeSpan.FromMinutes(1);
        options.RetryMaxDelay = TimeSpan.FromMinutes(1);
        options.MaxAttempts = 5;
    }

    [EventType("slow.thing", Entity = "thing")]
    public sealed record Slow([property: EntityId, JsonConverter(typeof(HangingConverter))] string Name);

    /// <summary>A custom converter that blocks its thread until the test releases it (a synchronous lookup that hangs).</summary>
    public sealed class HangingConverter : JsonConverter<string>
    {
        public static TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static ManualResetEventSlim Release { get; } = new();

        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = reader.GetString()!;
            Entered.TrySetResult();
            Release.Wait(TimeSpan.FromSeconds(30));
            return value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    public sealed class SlowHandler : IEventHandler<Slow>
    {
        public static bool Handled { get; private set; }

        public Task HandleAsync(EventContext<Slow> context, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Handled = true;
            return Task.CompletedTask;
        }
    }
}
