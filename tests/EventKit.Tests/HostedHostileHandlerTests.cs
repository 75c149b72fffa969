using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace EventKit.Tests;

/// <summary>
/// A real <see cref="IHost"/> whose handler blocks its thread synchronously before its first await and ignores its
/// token. README "Timeouts and handlers that block": it holds one worker, the others go on; "Delivery guarantees",
/// Shutdown: "A handler that ignores its cancellation is waited for until the host's own shutdown timeout; its event
/// is then left to its lease (logged as warning 1026), never released while it may still be running".
/// </summary>
public sealed class HostedHostileHandlerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HandlerBlockingItsThread_PastTheHostsShutdownTimeout_HoldsOneWorker_AndIsLeftToItsLease()
    {
        var blocker = new Blocker();
        var logs = new LogCapture();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(blocker);
        builder.Services.AddEventKit(o =>
            {
                o.MaxConcurrency = 2;
                o.ShutdownTimeout = TimeSpan.Zero;
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
            })
            .AddHandler<BlockingHandler>()
            .AddHandler<CountingHandler>();
        using var host = builder.Build();
        await host.StartAsync();

        var stuck = await PublishAsync(host, new Stuck("s-1"));
        await blocker.Started.Task.WaitAsync(Wait);
        var fine = await PublishAsync(host, new Fine("f-1"));
        var operations = host.Services.GetRequiredService<IEventOperations>();
        await WaitUntilAsync(async () => (await operations.GetEventAsync(fine))!.Event.Status == EventStatus.Completed);

        using var hostGivesUp = new CancellationTokenSource();
        var stop = host.StopAsync(hostGivesUp.Token);
        await blocker.CancellationSeen.Task.WaitAsync(Wait);   // ShutdownTimeout (0) is over: its token is cancelled
        stop.IsCompleted.Should().BeFalse("the host waits for the running handler until its own shutdown timeout");
        await hostGivesUp.CancelAsync();                       // the host's shutdown timeout
        await stop.WaitAsync(Wait);

        var record = (await operations.GetEventAsync(stuck))!.Event;
        record.Status.Should().Be(EventStatus.Processing, "it may still be running: never released");
        record.LockedBy.Should().NotBeNull();
        logs.WithId(1026).Should().ContainSingle("logged before the host's StopAsync returns, while its services still exist").Which.Message.Should().Contain(nameof(BlockingHandler));

        blocker.Release.Set();
        await blocker.Returned.Task.WaitAsync(Wait);
        (await operations.GetEventAsync(stuck))!.Event.Status.Should().Be(EventStatus.Processing, "a run that ends after the processor stopped records nothing");
    }

    private static async Task<Guid> PublishAsync<T>(IHost host, T payload)
        where T : notnull
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(payload);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!await condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    [EventType("probe.stuck", Entity = "probe")]
    public sealed record Stuck([property: EntityId] string Id);

    [EventType("probe.fine", Entity = "probe")]
    public sealed record Fine([property: EntityId] string Id);

    public sealed class Blocker : IDisposable
    {
        public ManualResetEventSlim Release { get; } = new();

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource CancellationSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Returned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => Release.Dispose();
    }

    /// <summary>Blocks its thread before any await and ignores its token (it only notes that it was cancelled).</summary>
    public sealed class BlockingHandler(Blocker blocker) : IEventHandler<Stuck>
    {
        public Task HandleAsync(EventContext<Stuck> context, CancellationToken cancellationToken)
        {
            using var seen = cancellationToken.Register(() => blocker.CancellationSeen.TrySetResult());
            blocker.Started.TrySetResult();
            try
            {
                blocker.Release.Wait(CancellationToken.None);
            }
            finally
            {
                blocker.Returned.TrySetResult();
            }

            return Task.CompletedTask;
        }
    }

    public sealed class CountingHandler : IEventHandler<Fine>
    {
        public Task HandleAsync(EventContext<Fine> context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
