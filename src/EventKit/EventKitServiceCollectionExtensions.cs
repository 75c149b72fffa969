using EventKit.InMemory;
using EventKit.Internal;
using EventKit.Internal.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventKit;

/// <summary>Registers EventKit in an <see cref="IServiceCollection"/>.</summary>
public static class EventKitServiceCollectionExtensions
{
    /// <summary>
    /// Adds EventKit: the publisher (scoped), the operations API, the background processor and retention cleanup
    /// (hosted services), and the in-memory store unless another store is chosen. Calling it again adds nothing
    /// and returns a builder for the same registration; <paramref name="configure"/>, if given, is applied too.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="EventKitOptions"/>, or <see langword="null"/>.</param>
    /// <returns>A builder to add handlers and choose a store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IEventKitBuilder AddEventKit(this IServiceCollection services, Action<EventKitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var registry = FindRegistry(services);
        if (registry is null)
        {
            registry = new HandlerRegistry();
            services.AddSingleton(registry);

            // ValidateOnStart adds a registration on every call, so it runs once with the registry.
            services.AddOptions<EventKitOptions>().ValidateOnStart();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventKitOptions>, EventKitOptionsValidator>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new EventSignal(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<EventKitTelemetry>();
        services.TryAddSingleton<ProcessorHeartbeat>();
        services.TryAddSingleton(_ => new EventHandOff());
        services.TryAddSingleton<IEventStore, InMemoryEventStore>();
        services.TryAddScoped<IEventPublisher, EventPublisher>();
        services.TryAddSingleton<IEventOperations, EventOperations>();
        services.TryAddSingleton(new RetryPolicy());
        services.TryAddSingleton<EventProcessor>();
        services.TryAddSingleton<IEventDrainer, EventDrainer>();
        services.TryAddSingleton<EventCleaner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EventProcessorService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EventCleanupService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EventBacklogSampler>());

        return new EventKitBuilder(services, registry);
    }

    private static HandlerRegistry? FindRegistry(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(HandlerRegistry) && descriptor.ImplementationInstance is HandlerRegistry registry)
            {
                return registry;
            }
        }

        return null;
    }
}
