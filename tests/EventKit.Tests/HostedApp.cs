using EventKit.ContractTests;
using EventKit.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace EventKit.Tests;

/// <summary>
/// EventKit's hosted services (processor, cleanup, backlog sampler) on an <see cref="ObservedStore"/> over the in-memory
/// store, with <see cref="WelcomeEmailHandler"/> and a fake clock the test moves: for tests of what wakes the hosted loops.
/// </summary>
internal sealed class HostedApp : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ServiceProvider _provider;

    private HostedApp(ServiceProvider provider) => _provider = provider;

    public IServiceProvider Services => _provider;

    /// <summary>The hosted services, once started.</summary>
    public IHostedService[] HostedServices { get; private set; } = [];

    public HandlerProbe Probe => _provider.GetRequiredService<HandlerProbe>();

    public ObservedStore Store => (ObservedStore)_provider.GetRequiredService<IEventStore>();

    public IEventOperations Operations => _provider.GetRequiredService<IEventOperations>();

    /// <summary>Builds the app on <paramref name="time"/>; <paramref name="signalling"/> false gives the store no in-process signal.</summary>
    public static HostedApp Create(FakeTimeProvider time, Action<EventKitOptions> configure, bool signalling = true, Action<ObservedStore>? configureStore = null, Action<IEventKitBuilder>? handlers = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<HandlerProbe>();
        var builder = services.AddEventKit(configure).AddHandler<WelcomeEmailHandler>();
        handlers?.Invoke(builder);
        services.Replace(ServiceDescriptor.Singleton<IEventStore>(sp =>
        {
            var store = new ObservedStore(new InMemoryEventStore(signalling ? sp.GetRequiredService<EventSignal>() : null));
            configureStore?.Invoke(store);
            return store;
        }));
        return new HostedApp(services.BuildServiceProvider());
    }

    public async Task StartAsync()
    {
        HostedServices = [.. _provider.GetServices<IHostedService>()];
        foreach (var service in HostedServices)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    public Task StopAsync() => Task.WhenAll(HostedServices.Select(s => s.StopAsync(CancellationToken.None)));

    public async Task<Guid> PublishUserAsync(PublishOptions? options = null)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IEventPublisher>().PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"), options);
    }

    /// <summary>Waits for a condition other tasks make true (at most 30 s); the fake clock, not this loop, decides what is due.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!await condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Probe.Gate?.TrySetResult();
        await StopAsync();
        await _provider.DisposeAsync();
    }
}
