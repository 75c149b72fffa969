using System.Text.Json;
using EventKit.Testing.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventKit.Testing;

/// <summary>
/// Runs EventKit's real pipeline (publisher, processor, retries, store) for an application's unit tests, with a
/// fake clock and no background loop: the test publishes, calls <see cref="DrainAsync"/> to process what is due,
/// moves the clock with <see cref="AdvanceTime"/>, and inspects what was published and handled.
/// </summary>
/// <remarks>
/// Events are processed one at a time, in order, so runs are deterministic. Inspection results are plain
/// collections usable with any assertion library. Methods are not meant to be called concurrently.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "Mirrors IEventPublisher's overloads, which differ in shape and are not ambiguous.")]
public sealed partial class EventKitHarness : IAsyncDisposable, IDisposable
{
    private const int MaxEventsPerDrain = 1_000_000;
    private readonly ServiceProvider _provider;
    private readonly HarnessRecorder _recorder;
    private readonly IEventDrainer _drainer;
    private readonly JsonSerializerOptions _serializerOptions;

    private EventKitHarness(ServiceProvider provider, FakeTimeProvider time, HarnessRecorder recorder)
    {
        _provider = provider;
        _recorder = recorder;
        Time = time;
        _drainer = provider.GetRequiredService<IEventDrainer>();
        _serializerOptions = provider.GetRequiredService<IOptions<EventKitOptions>>().Value.SerializerOptions;
    }

    /// <summary>Gets the time every harness starts at: 2026-01-01T00:00:00Z.</summary>
    public static DateTimeOffset DefaultStartTime { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Gets the fake clock EventKit (and any service that takes <see cref="TimeProvider"/>) reads.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>Gets the service provider, to resolve the application's services or run its use cases.</summary>
    public IServiceProvider Services => _provider;

    /// <summary>Gets the operations API: metrics, dead letters, requeue, event lookup.</summary>
    public IEventOperations Operations => _provider.GetRequiredService<IEventOperations>();

    /// <summary>Gets every event stored through the harness so far, in publish order (including events published by handlers).</summary>
    /// <remarks>With a transactional store this lists what was added to a unit of work, committed or not.</remarks>
    public IReadOnlyList<EventRecord> PublishedEvents => _recorder.Published;

    /// <summary>Gets every handler run so far, in order.</summary>
    public IReadOnlyList<HandlerRun> HandlerRuns => _recorder.Runs;

    /// <summary>Gets the handler runs that failed, with their exceptions.</summary>
    public IReadOnlyList<HandlerRun> Failures => [.. _recorder.Runs.Where(r => !r.Succeeded)];

    /// <summary>
    /// Creates a harness on the in-memory store: <paramref name="configure"/> adds the handlers (and, if wanted, a
    /// store), <paramref name="options"/> sets <see cref="EventKitOptions"/>.
    /// </summary>
    /// <param name="configure">Adds handlers, e.g. <c>b =&gt; b.AddHandler&lt;WelcomeEmailHandler&gt;()</c>.</param>
    /// <param name="options">Configures EventKit, or <see langword="null"/> for its defaults.</param>
    /// <param name="services">Registers the services the handlers need, or <see langword="null"/>.</param>
    /// <returns>The harness.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are out of range.</exception>
    public static EventKitHarness Create(Action<IEventKitBuilder> configure, Action<EventKitOptions>? options = null, Action<IServiceCollection>? services = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        configure(collection.AddEventKit(options));
        return Create(collection);
    }

    /// <summary>
    /// Creates a harness from an application's own registrations (which must include <c>AddEventKit()</c>): the
    /// harness replaces <see cref="TimeProvider"/> with its fake clock, observes the registered store, never starts
    /// hosted services, and processes one event at a time. It takes ownership of <paramref name="services"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <returns>The harness.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="services"/> has no EventKit registration.</exception>
    /// <exception cref="OptionsValidationException">The options are out of range.</exception>
    public static EventKitHarness Create(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(IEventPublisher)))
        {
            throw new InvalidOperationException("The services have no EventKit registration: call services.AddEventKit() and add your handlers before creating the harness.");
        }

        var time = new FakeTimeProvider(DefaultStartTime);
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(time);
        services.TryAddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.TryAdd(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(NullLogger<>)));
        services.PostConfigure<EventKitOptions>(o => o.MaxConcurrency = 1);
        var recorder = new HarnessRecorder();
        ObserveStore(services, recorder);
        services.AddSingleton<IHandlerRunObserver>(recorder);

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        try
        {
            _ = provider.GetRequiredService<IOptions<EventKitOptions>>().Value;
            return new EventKitHarness(provider, time, recorder);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Processes every event that is runnable at the current harness time, including events its handlers publish
    /// and retries that come due at once, until none is left. Later retries and delayed events wait for
    /// <see cref="AdvanceTime"/>.
    /// </summary>
    /// <param name="cancellationToken">
    /// Cancelling stops the drain: claimed events not yet started are released, and running handlers' tokens are
    /// cancelled (their events are released once they return, the attempt not counted); then the drain throws
    /// <see cref="OperationCanceledException"/>. A guard for a handler that would otherwise hang the test (one waiting
    /// for time that only <see cref="Time"/> measures, which a drain never moves).
    /// </param>
    /// <returns>What was processed, and when the next event comes due.</returns>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was cancelled; thrown once every handler the drain started has returned.
    /// </exception>
    /// <exception cref="EventKitHarnessException">More than a million event attempts ran: handlers keep publishing events.</exception>
    /// <exception cref="InvalidOperationException">
    /// The store could not record the outcome of the events that ran (its exception is the inner exception). A store
    /// whose claim fails ends the drain with the store's own exception. A drain never waits for the fake clock.
    /// </exception>
    public async Task<DrainResult> DrainAsync(CancellationToken cancellationToken = default)
    {
        // The processor's own drain: the same pipeline as the hosted processor, claiming only when everything claimed
        // before is recorded, so what runs and in which order is deterministic. A store failure ends it with the error.
        var summary = await _drainer.DrainAsync(MaxEventsPerDrain + 1, cancellationToken).ConfigureAwait(false);

        // The drainer returns what it did; a test must not go on to assert on a drain it cut short (nor may
        // DrainUntilIdleAsync take the events it released, due at once, for stuck ones).
        if (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(
                $"The drain was cancelled after {summary.Processed} event attempts: running handlers' tokens were cancelled and their events released.",
                cancellationToken);
        }

        if (summary.Processed + summary.Released > MaxEventsPerDrain)
        {
            throw new EventKitHarnessException($"DrainAsync ran more than {MaxEventsPerDrain:N0} event attempts without running out of work: do handlers keep publishing events?");
        }

        return new DrainResult(summary.Processed, summary.Completed, summary.Failed, summary.DeadLettered, await NextDueAsync().ConfigureAwait(false));
    }

    /// <summary>
    /// Drains, then moves the clock to the next retry or delayed event and drains again, until every event
    /// published through the harness is completed, dead-lettered or cancelled.
    /// </summary>
    /// <param name="maxTime">How far the clock may move, default one day.</param>
    /// <param name="cancellationToken">Cancels the operation, as for <see cref="DrainAsync"/>.</param>
    /// <returns>The totals of all drains.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="EventKitHarnessException">
    /// Events are still waiting after <paramref name="maxTime"/>, or wait for nothing that comes due (a paused type, an
    /// entity held back behind a dead letter under <see cref="OrderedDeadLetterPolicy.Wait"/>); the message lists them
    /// with why they wait and their handler failures.
    /// </exception>
    public async Task<DrainResult> DrainUntilIdleAsync(TimeSpan? maxTime = null, CancellationToken cancellationToken = default)
    {
        var limit = maxTime ?? TimeSpan.FromDays(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, TimeSpan.Zero, nameof(maxTime));
        var now = Time.GetUtcNow();
        var deadline = limit >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + limit;
        int processed = 0, completed = 0, failed = 0, deadLettered = 0;
        while (true)
        {
            var result = await DrainAsync(cancellationToken).ConfigureAwait(false);
            processed += result.Processed;
            completed += result.Completed;
            failed += result.Failed;
            deadLettered += result.DeadLettered;
            if (result.NextDueAt is not { } next)
            {
                // Nothing comes due later: idle, unless events wait that nothing will release (a paused type, an entity
                // held back behind a dead letter under OrderedDeadLetterPolicy.Wait).
                var stuck = await WaitingAsync().ConfigureAwait(false);
                if (stuck.Count > 0)
                {
                    throw new EventKitHarnessException(
                        $"Events are still waiting, and none comes due later: moving the clock would not run them.{Environment.NewLine}{await DescribeAsync(stuck).ConfigureAwait(false)}");
                }

                return new DrainResult(processed, completed, failed, deadLettered, null);
            }

            if (next > deadline)
            {
                var waiting = await DescribeAsync(await WaitingAsync().ConfigureAwait(false)).ConfigureAwait(false);
                throw new EventKitHarnessException(
                    $"Events are still waiting after moving the clock {limit} (to {Time.GetUtcNow():O}); the next comes due at {next:O}. " +
                    $"Pass a larger maxTime, or check the handlers.{Environment.NewLine}{waiting}");
            }

            Time.SetUtcNow(next);
        }
    }

    /// <summary>Moves the harness clock forward; retries and delayed events that come due run at the next drain.</summary>
    /// <param name="delta">How far to move; not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void AdvanceTime(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        Time.Advance(delta);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _provider.Dispose();

    private async Task<List<EventDetails>> WaitingAsync()
    {
        var waiting = new List<EventDetails>();
        foreach (var record in PublishedEvents)
        {
            if (await Operations.GetEventAsync(record.Id).ConfigureAwait(false) is { } details
                && details.Event.Status is not (EventStatus.Completed or EventStatus.DeadLetter or EventStatus.Cancelled))
            {
                waiting.Add(details);
            }
        }

        return waiting;
    }

    private async Task<DateTimeOffset?> NextDueAsync()
    {
        // After a drain, an event already due is one held back (behind an earlier event of its entity, see
        // EventOrdering): it can run only once something later comes due, so only later times count.
        var now = Time.GetUtcNow();
        DateTimeOffset? next = null;
        foreach (var details in await WaitingAsync().ConfigureAwait(false))
        {
            var at = details.Event.AvailableAt;
            if (at > now && (next is null || at < next))
            {
                next = at;
            }
        }

        return next;
    }

    private static void ObserveStore(IServiceCollection services, HarnessRecorder recorder)
    {
        var descriptor = services.LastOrDefault(d => d.ServiceType == typeof(IEventStore) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("No IEventStore is registered.");
        services.RemoveAll<IEventStore>();
        var key = new object();
        services.Add(descriptor switch
        {
            { ImplementationInstance: { } instance } => new ServiceDescriptor(typeof(IEventStore), key, instance),
            { ImplementationFactory: { } factory } => new ServiceDescriptor(typeof(IEventStore), key, (sp, _) => factory(sp), descriptor.Lifetime),
            _ => new ServiceDescriptor(typeof(IEventStore), key, descriptor.ImplementationType!, descriptor.Lifetime),
        });
        services.Add(new ServiceDescriptor(
            typeof(IEventStore),
            sp => new RecordingEventStore(sp.GetRequiredKeyedService<IEventStore>(key), recorder),
            descriptor.Lifetime));
    }
}
