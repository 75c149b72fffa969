using EventKit.Internal;
using EventKit.Internal.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventKit.ContractTests;

/// <summary>
/// A service provider with EventKit on a chosen store, a fake clock and the test handlers, driven explicitly:
/// no hosted service runs; tests publish, drain and advance time themselves.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 15, 9, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;
    private readonly Func<IServiceProvider, Task> _commit;

    private TestApp(ServiceProvider services, Func<IServiceProvider, Task> commit)
    {
        _services = services;
        _commit = commit;
        Time = services.GetRequiredService<FakeTimeProvider>();
        Probe = services.GetRequiredService<HandlerProbe>();
    }

    public FakeTimeProvider Time { get; }

    public HandlerProbe Probe { get; }

    public IServiceProvider Services => _services;

    public IEventOperations Operations => _services.GetRequiredService<IEventOperations>();

    public EventKitOptions Options => _services.GetRequiredService<IOptions<EventKitOptions>>().Value;

    internal EventProcessor Processor => _services.GetRequiredService<EventProcessor>();

    public static TestApp Create(
        Action<IEventKitBuilder> useStore,
        Action<EventKitOptions>? configure = null,
        Action<IEventKitBuilder>? handlers = null,
        Action<IServiceCollection>? services = null,
        Func<IServiceProvider, Task>? commit = null,
        ClaimLog? claimLog = null,
        Func<IEventStore, IEventStore>? wrapStore = null)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton(NullLoggerFactory.Instance);
        collection.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        var time = new FakeTimeProvider(Start);
        collection.AddSingleton(time);
        collection.AddSingleton<TimeProvider>(time);
        collection.AddSingleton<HandlerProbe>();
        services?.Invoke(collection);

        var builder = collection.AddEventKit(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromSeconds(10);
            o.RetryMaxDelay = TimeSpan.FromMinutes(10);
            configure?.Invoke(o);
        });
        useStore(builder);
        if (claimLog is not null)
        {
            WrapStore(collection, inner => new ClaimLoggingStore(inner, claimLog));
        }

        if (wrapStore is not null)
        {
            WrapStore(collection, wrapStore);
        }

        if (handlers is null)
        {
            builder.AddHandler<WelcomeEmailHandler>().AddHandler<TestEventHandler>();
        }
        else
        {
            handlers(builder);
        }

        var provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _ = provider.GetRequiredService<IOptions<EventKitOptions>>().Value; // surface validation errors at creation
        return new TestApp(provider, commit ?? (_ => Task.CompletedTask));
    }

    /// <summary>Publishes in a new scope and commits it the way the store needs.</summary>
    public async Task<Guid> PublishAsync(Func<IEventPublisher, ValueTask<Guid>> publish)
    {
        await using var scope = _services.CreateAsyncScope();
        var id = await publish(scope.ServiceProvider.GetRequiredService<IEventPublisher>());
        await _commit(scope.ServiceProvider);
        return id;
    }

    public Task<Guid> PublishAsync<TPayload>(TPayload payload, PublishOptions? options = null)
        where TPayload : notnull =>
        PublishAsync(p => p.PublishAsync(payload, options));

    /// <summary>Publishes many typed events in one new scope (one unit of work) and commits it.</summary>
    public async Task<IReadOnlyList<Guid>> PublishManyAsync<TPayload>(IEnumerable<TPayload> payloads, PublishOptions? options = null)
        where TPayload : notnull
    {
        await using var scope = _services.CreateAsyncScope();
        var ids = await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishManyAsync(payloads, options);
        await _commit(scope.ServiceProvider);
        return ids;
    }

    public async Task<T> WithStoreAsync<T>(Func<IEventStore, ValueTask<T>> action)
    {
        await using var scope = _services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<IEventStore>());
    }

    internal EventProcessor CreateProcessor(string owner) => CreateProcessor(owner, Time);

    /// <summary>A processor of this app with a clock of its own (another instance, whose clock may be skewed).</summary>
    internal EventProcessor CreateProcessor(string owner, TimeProvider time) =>
        new(
            _services.GetRequiredService<IServiceScopeFactory>(),
            _services.GetRequiredService<HandlerRegistry>(),
            Options,
            time,
            NullLogger<EventProcessor>.Instance,
            _services.GetRequiredService<EventKitTelemetry>(),
            _services.GetRequiredService<EventSignal>(),
            _services.GetRequiredService<ProcessorHeartbeat>(),
            _services.GetRequiredService<RetryPolicy>(),
            _services.GetRequiredService<EventHandOff>(),
            owner);

    /// <summary>Processes until a claim finds nothing runnable at the current fake time (the processor's own drain).</summary>
    internal Task<ProcessingSummary> DrainAsync(EventProcessor? processor = null, CancellationToken stoppingToken = default, CancellationToken abortToken = default) =>
        (processor ?? Processor).DrainAsync(abortToken: abortToken, cancellationToken: stoppingToken);

    public async Task<EventRecord> GetAsync(Guid id) =>
        (await Operations.GetEventAsync(id))?.Event ?? throw new InvalidOperationException($"Event {id} does not exist.");

    public async Task<IReadOnlyList<EventLogEntry>> GetLogAsync(Guid id) =>
        (await Operations.GetEventAsync(id))?.Log ?? throw new InvalidOperationException($"Event {id} does not exist.");

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    /// <summary>Puts <paramref name="wrap"/>'s store (a <see cref="ForwardingEventStore"/>) around the registered store, keeping its lifetime.</summary>
    private static void WrapStore(IServiceCollection services, Func<IEventStore, IEventStore> wrap)
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(IEventStore) && !d.IsKeyedService);
        services.Remove(descriptor);
        var key = new object();
        services.Add(descriptor switch
        {
            { ImplementationInstance: { } instance } => new ServiceDescriptor(typeof(IEventStore), key, instance),
            { ImplementationFactory: { } factory } => new ServiceDescriptor(typeof(IEventStore), key, (sp, _) => factory(sp), descriptor.Lifetime),
            _ => new ServiceDescriptor(typeof(IEventStore), key, descriptor.ImplementationType!, descriptor.Lifetime),
        });
        services.Add(new ServiceDescriptor(typeof(IEventStore), sp => wrap(sp.GetRequiredKeyedService<IEventStore>(key)), descriptor.Lifetime));
    }
}
