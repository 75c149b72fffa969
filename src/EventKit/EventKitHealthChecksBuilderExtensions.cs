using EventKit.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EventKit;

/// <summary>Adds <see cref="EventKitHealthCheck"/> to ASP.NET Core's (or any host's) health checks in one call.</summary>
public static class EventKitHealthChecksBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="EventKitHealthCheck"/> with its thresholds: <c>services.AddHealthChecks().AddEventKit()</c>.
    /// The thresholds are named options (<see cref="IOptionsMonitor{TOptions}.Get(string)"/> with <paramref name="name"/>),
    /// validated when the host starts. EventKit itself is registered with <c>services.AddEventKit()</c>, before or after.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the thresholds, or <see langword="null"/> for the defaults.</param>
    /// <param name="name">The health check's name. Default <c>eventkit</c>.</param>
    /// <param name="failureStatus">
    /// The status reported when EventKit is not processing or the store cannot be read, or <see langword="null"/> for
    /// <see cref="HealthStatus.Unhealthy"/>. Too many dead letters always report <see cref="HealthStatus.Degraded"/>.
    /// </param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>), or <see langword="null"/> for none.</param>
    /// <param name="timeout">How long the check may run, or <see langword="null"/> for no limit.</param>
    /// <returns>The health checks builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is blank.</exception>
    public static IHealthChecksBuilder AddEventKit(
        this IHealthChecksBuilder builder,
        Action<EventKitHealthCheckOptions>? configure = null,
        string name = "eventkit",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var services = builder.Services;
        var options = services.AddOptions<EventKitHealthCheckOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventKitHealthCheckOptions>, EventKitHealthCheckOptionsValidator>());

        // One instance per registration and service provider: the check measures processor silence from its creation.
        services.TryAddKeyedSingleton(name, (sp, _) => new EventKitHealthCheck(
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetService<ProcessorHeartbeat>() ?? throw new InvalidOperationException("The EventKit health check needs EventKit: call services.AddEventKit()."),
            sp.GetRequiredService<IOptions<EventKitOptions>>(),
            sp.GetRequiredService<IOptionsMonitor<EventKitHealthCheckOptions>>().Get(name),
            sp.GetRequiredService<TimeProvider>()));
        return builder.Add(new HealthCheckRegistration(name, sp => sp.GetRequiredKeyedService<EventKitHealthCheck>(name), failureStatus, tags, timeout));
    }
}
