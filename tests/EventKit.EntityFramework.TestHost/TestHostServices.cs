using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.EntityFramework.TestHost;

/// <summary>The test host's registrations, shared by its Program and by in-process tests.</summary>
public static class TestHostServices
{
    /// <summary>
    /// Registers <see cref="TestHostDbContext"/> on PostgreSQL, EventKit on it with <see cref="RecordingHandler"/> and <see cref="StepHandler"/>,
    /// and <paramref name="instance"/>.
    /// </summary>
    public static IEventKitBuilder AddTestHost(this IServiceCollection services, string connectionString, TestHostInstance instance, Action<EventKitOptions>? configure = null)
    {
        services.AddSingleton(instance);
        services.AddDbContext<TestHostDbContext>(o => o.UseNpgsql(connectionString));
        return services.AddEventKit(configure).UseEntityFramework<TestHostDbContext>().AddHandler<RecordingHandler>().AddHandler<StepHandler>();
    }
}
