using System.Collections.Concurrent;
using EventKit.ContractTests;
using EventKit.InMemory;
using EventKit.Internal.Processing;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>
/// A cancelled handler's continuation runs inline on the thread that cancelled it. When the
/// lease renewer cancels a run whose lease was lost, the worker goes on, inline, to the next buffered event; if that
/// handler blocks synchronously (allowed by README "Timeouts and handlers that block"), the renewer is held hostage:
/// no lease of the processor is renewed, and another processor claims and runs the blocked event a second time.
/// </summary>
public sealed class LeaseLostCancellationTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("TaskCompletionSource+Register")]
    [InlineData("Task.WaitAsync")]
    public async Task LeaseLostCancellation_ThenASynchronouslyBlockingHandler_RenewerKeepsRenewing_NoSecondRunElsewhere(string waitStyle)
    {
        await using var pair = new TwoProcessors(Lease);
        var lostObserved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A: a cooperative handler that waits on its token (a common pattern: a TaskCompletionSource cancelled by the
        // token, as many client libraries complete their pending operations).
        pair.Script.On("a", async run =>
        {
            try
            {
                if (waitStyle == "Task.WaitAsync")
                {
                    await new TaskCompletionSource().Task.WaitAsync(run.Token);
                }
                else
                {
                    var pending = new TaskCompletionSource();
                    using var registration = run.Token.Register(() => pending.TrySetCanceled(run.Token));
                    await pending.Task;
                }
            }
            finally
            {
                lostObserved.TrySetResult();
            }
        });

        // B: a handler calling a synchronous driver for a few minutes (its first run only).
        pair.BlockFirstRunOf("b");

        var a = await pair.PublishAsync("a");
        var b = await pair.PublishAsync("b");
        pair.StartFirst();
        await pair.WaitUntilAsync(() => pair.Script.RunsOf("a") == 1, "P1 runs A (B waits in its buffer)");

        // A's lease is taken over (e.g. after a database blip): P1's next renewal finds it lost and cancels A.
        pair.Store.Lost.TryAdd(a, 0);
        await pair.AdvanceUntilAsync(TimeSpan.FromSeconds(1), () => lostObserved.Task.IsCompleted, "the renewer cancels A");
        pair.Store.Lost.TryRemove(a, out _);
        await pair.BlockingStarted.WaitAsync(TimeSpan.FromSeconds(30));

        // A second processor joins. B is P1's and runs there: README says its lease is renewed while it runs.
        var renewalsDuring = await pair.StartSecondAndLetThreeMinutesPassAsync("b");

        var runsOfB = pair.Script.RunsOf("b");
        var maxAtOnce = pair.Script.MaxConcurrentRunsOf("b");
        pair.Unblock();

        renewalsDuring.Should().BeGreaterThan(0, "README (P1's own renewals): the lease is renewed every third of LeaseDuration while the handler runs");
        runsOfB.Should().Be(1, "README: an event is leased to at most one processor; no second run of a running event starts anywhere");
        maxAtOnce.Should().Be(1);
    }

    [Fact]
    public async Task Control_SameScenarioWithoutALostLease_BlockingHandlerKeepsItsLease()
    {
        await using var pair = new TwoProcessors(Lease);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Script.On("a", _ => releaseA.Task);
        pair.BlockFirstRunOf("b");

        await pair.PublishAsync("a");
        var b = await pair.PublishAsync("b");
        pair.StartFirst();
        await pair.WaitUntilAsync(() => pair.Script.RunsOf("a") == 1, "P1 runs A");
        releaseA.SetResult();
        await pair.BlockingStarted.WaitAsync(TimeSpan.FromSeconds(30));

        var renewalsDuring = await pair.StartSecondAndLetThreeMinutesPassAsync("b");
        var runsOfB = pair.Script.RunsOf("b");
        pair.Unblock();

        renewalsDuring.Should().BeGreaterThan(0);
        runsOfB.Should().Be(1);
        await pair.WaitUntilAsync(() => pair.Completed.ContainsKey(b), "B completes");
    }

    /// <summary>Drops chosen ids from renewals, as a store does for a lease that was taken over.</summary>
    internal sealed class TakeoverStore(IEventStore inner) : ForwardingEventStore(inner)
    {
        public readonly ConcurrentDictionary<Guid, byte> Lost = new();
        public readonly ConcurrentDictionary<string, int> Renewals = new();

        public override async ValueTask<IReadOnlyCollection<Guid>> RenewLeasesAsync(IReadOnlyCollection<Guid> eventIds, string owner, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
        {
            Renewals.AddOrUpdate(owner, 1, (_, n) => n + 1);
            var renewed = await Inner.RenewLeasesAsync(eventIds.Where(id => !Lost.ContainsKey(id)).ToList(), owner, now, leaseDuration, cancellationToken);
            return renewed;
        }
    }

    /// <summary>Two processors (two service providers) on one in-memory store, one fake clock, one script.</summary>
    internal sealed class TwoProcessors : IAsyncDisposable
    {
        private readonly ServiceProvider _first;
        private readonly ServiceProvider _second;
        private readonly List<(CancellationTokenSource Stop, Task Run)> _runs = [];
        private readonly ManualResetEventSlim _unblock = new();
        private readonly TaskCompletionSource _blockingStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _blockingRuns;

        public TwoProcessors(TimeSpan lease, Action<EventKitOptions>? configure = null)
        {
            Time = new FakeTimeProvider(TestApp.Start);
            Script = new Script();
            Store = new TakeoverStore(new InMemoryEventStore());
            _first = Build(lease, o =>
            {
                o.MaxConcurrency = 1;
                o.PollingInterval = TimeSpan.FromHours(1);
                configure?.Invoke(o);
            });
            _second = Build(lease, o =>
            {
                o.PollingInterval = TimeSpan.FromSeconds(1);
                configure?.Invoke(o);
            });
        }

        public FakeTimeProvider Time { get; }

        public Script Script { get; }

        public TakeoverStore Store { get; }

        public ConcurrentDictionary<Guid, EventStatus> Completed { get; } = new();

        public string FirstOwner => _first.GetRequiredService<EventProcessor>().Owner;

        public IEventOperations Operations => _first.GetRequiredService<IEventOperations>();

        public async Task<Guid> PublishAsync(string name)
        {
            await using var scope = _first.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new Step(name));
        }

        /// <summary>Completes once the blocking handler's first run started (<see cref="BlockFirstRunOf"/>).</summary>
        public Task BlockingStarted => _blockingStarted.Task;

        /// <summary>The handler of <paramref name="name"/> calls a synchronous driver for minutes, its first run only, until <see cref="Unblock"/>.</summary>
        public void BlockFirstRunOf(string name) => Script.On(name, _ =>
        {
            if (Interlocked.Increment(ref _blockingRuns) == 1)
            {
                _blockingStarted.TrySetResult();
                _unblock.Wait(TimeSpan.FromSeconds(60));
            }

            return Task.CompletedTask;
        });

        public void Unblock() => _unblock.Set();

        /// <summary>
        /// Starts the second processor and lets three minutes of fake time pass (or until <paramref name="name"/> runs a
        /// second time); returns how often the first processor renewed its leases meanwhile.
        /// </summary>
        public async Task<int> StartSecondAndLetThreeMinutesPassAsync(string name)
        {
            StartSecond();
            var before = Store.Renewals.GetValueOrDefault(FirstOwner);
            var until = Time.GetUtcNow() + TimeSpan.FromMinutes(3);
            await AdvanceUntilAsync(TimeSpan.FromSeconds(5), () => Time.GetUtcNow() >= until || Script.RunsOf(name) > 1, "three minutes pass");
            return Store.Renewals.GetValueOrDefault(FirstOwner) - before;
        }

        public void StartFirst() => Start(_first);

        public void StartSecond() => Start(_second);

        public Task WaitUntilAsync(Func<bool> condition, string what) => AdvanceUntilAsync(TimeSpan.Zero, condition, what);

        public async Task AdvanceUntilAsync(TimeSpan step, Func<bool> condition, string what)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!condition())
            {
                if (step > TimeSpan.Zero)
                {
                    // As in production: timers fire on thread-pool threads, with no synchronization context (xUnit's
                    // would otherwise capture the renewer's Task.Yield and stop continuations from running inline).
                    await Task.Run(() => Time.Advance(step));
                }

                try
                {
                    await Task.Delay(5, timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"Timed out waiting until {what} (fake time {Time.GetUtcNow():O}).");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _unblock.Set();
            foreach (var (stop, _) in _runs)
            {
                await stop.CancelAsync();
            }

            foreach (var (stop, run) in _runs)
            {
                try
                {
                    await run.WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (TimeoutException)
                {
                }

                stop.Dispose();
            }

            await _first.DisposeAsync();
            await _second.DisposeAsync();
            _unblock.Dispose();
        }

        private void Start(ServiceProvider services)
        {
            var processor = services.GetRequiredService<EventProcessor>();
            processor.OutcomeObserver = (record, outcome) =>
            {
                if (outcome.Status == EventStatus.Completed)
                {
                    Completed[record.Id] = outcome.Status;
                }
            };
            var stop = new CancellationTokenSource();
            _runs.Add((stop, processor.RunAsync(stop.Token, stop.Token)));
        }

        private ServiceProvider Build(TimeSpan lease, Action<EventKitOptions> configure)
        {
            var collection = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
            collection.AddSingleton<TimeProvider>(Time);
            collection.AddSingleton(Script);
            var builder = collection.AddEventKit(o =>
            {
                o.LeaseDuration = lease;
                o.HandlerTimeout = Timeout.InfiniteTimeSpan;
                configure(o);
            });
            builder.AddHandler<StepHandler>();
            collection.Replace(ServiceDescriptor.Singleton<IEventStore>(Store));
            return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        }
    }
}
