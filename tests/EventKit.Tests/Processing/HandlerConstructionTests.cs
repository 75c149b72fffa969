using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// Handlers that cannot be built or whose scope cannot be disposed. README: a handler is "resolved from a fresh DI scope
/// for every run"; every event stands alone, and a run that fails is retried and logged for that handler only.
/// </summary>
public sealed class HandlerConstructionTests
{
    [Fact]
    public async Task ConstructorThrows_OrDependencyMissing_FailsOnlyThatHandlersRun_TheOtherHandlerSucceeds_LoopAlive()
    {
        await using var host = PipelineHost.Create(
            o =>
            {
                o.RetryBaseDelay = TimeSpan.FromMinutes(1);
                o.RetryMaxDelay = TimeSpan.FromMinutes(1);
            },
            b => b.AddHandler<StepHandler>().AddHandler<ThrowingConstructorHandler>().AddHandler<MissingDependencyHandler>().AddHandler<FineHandler>());

        var id = await host.PublishAsync(new Built("a"));
        var step = await host.PublishStepAsync("other");
        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 2, "both events are recorded");

        var details = await host.GetAsync(id);
        details.Event.Status.Should().Be(EventStatus.Failed);
        details.Event.Attempts.Should().Be(1);
        details.Log.Should().HaveCount(3);
        details.Log.Single(l => l.Handler.EndsWith(nameof(FineHandler), StringComparison.Ordinal)).Result.Should().Be(EventLogResult.Success);
        details.Log.Single(l => l.Handler.EndsWith(nameof(ThrowingConstructorHandler), StringComparison.Ordinal)).Result.Should().Be(EventLogResult.Failure);
        details.Log.Single(l => l.Handler.EndsWith(nameof(ThrowingConstructorHandler), StringComparison.Ordinal)).Error.Should().Contain("cannot be built");
        details.Log.Single(l => l.Handler.EndsWith(nameof(MissingDependencyHandler), StringComparison.Ordinal)).Result.Should().Be(EventLogResult.Failure);
        details.Log.Single(l => l.Handler.EndsWith(nameof(MissingDependencyHandler), StringComparison.Ordinal)).Error.Should().Contain(nameof(IMissingService));
        (await host.GetAsync(step)).Event.Status.Should().Be(EventStatus.Completed);

        // The retry runs only the two that failed.
        await host.AdvanceUntilAsync(TimeSpan.FromSeconds(10), () => host.Recorded.Count == 3, "the retry is recorded");
        var retried = await host.GetAsync(id);
        retried.Event.Attempts.Should().Be(2);
        retried.Log.Count(l => l.Handler.EndsWith(nameof(FineHandler), StringComparison.Ordinal)).Should().Be(1, "a handler that succeeded does not run again");
    }

    [Fact]
    public async Task ScopedServiceWhoseDisposeThrows_DoesNotFailOtherEvents_OrStopTheLoop()
    {
        await using var host = PipelineHost.Create(
            handlers: b => b.AddHandler<StepHandler>().AddHandler<DisposingHandler>(),
            services: s => s.AddScoped<ThrowsOnDispose>());

        var first = await host.PublishAsync(new Disposing("a"));
        var step = await host.PublishStepAsync("other");
        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 2, "both events are recorded");

        (await host.GetAsync(step)).Event.Status.Should().Be(EventStatus.Completed);
        var later = await host.PublishAsync(new Disposing("b"));
        await host.WaitUntilAsync(() => host.Recorded.Count == 3, "a later event is recorded");
        (await host.GetAsync(first)).Event.Status.Should().NotBe(EventStatus.Processing);
        (await host.GetAsync(later)).Event.Status.Should().NotBe(EventStatus.Processing);
    }

    [EventType("probe.built", Entity = "probe")]
    public sealed record Built([property: EntityId] string Key);

    [EventType("probe.disposing", Entity = "probe")]
    public sealed record Disposing([property: EntityId] string Key);

    public interface IMissingService;

    public sealed class ThrowingConstructorHandler : IEventHandler<Built>
    {
        public ThrowingConstructorHandler() => throw new InvalidOperationException("cannot be built");

        public Task HandleAsync(EventContext<Built> context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public sealed class MissingDependencyHandler(IMissingService service) : IEventHandler<Built>
    {
        public Task HandleAsync(EventContext<Built> context, CancellationToken cancellationToken) => Task.FromResult(service);
    }

    public sealed class FineHandler : IEventHandler<Built>
    {
        public Task HandleAsync(EventContext<Built> context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public sealed class ThrowsOnDispose : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => throw new InvalidOperationException("dispose failed");
    }

    public sealed class DisposingHandler(ThrowsOnDispose dependency) : IEventHandler<Disposing>
    {
        public Task HandleAsync(EventContext<Disposing> context, CancellationToken cancellationToken) => Task.FromResult(dependency);
    }
}
