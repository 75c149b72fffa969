using EventKit.EntityFramework.Internal;
using EventKit.EntityFramework.Internal.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EventKit.EntityFramework;

/// <summary>Chooses the EF Core store on an <see cref="IEventKitBuilder"/>.</summary>
public static class EntityFrameworkEventKitBuilderExtensions
{
    /// <summary>
    /// Stores events in <typeparamref name="TContext"/>'s database (PostgreSQL or SQLite) as a transactional outbox:
    /// <see cref="IEventPublisher"/> adds events to the scoped <typeparamref name="TContext"/>, so they commit with
    /// your next <c>SaveChanges</c> (or your transaction) and vanish with a rollback; the processor in this process is
    /// woken when they commit. Map the tables with <c>modelBuilder.AddEventKit()</c> and register the context with
    /// <c>AddDbContext</c>. Host start-up fails with a clear message for any other provider.
    /// </summary>
    /// <typeparam name="TContext">The application's context.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IEventKitBuilder UseEntityFramework<TContext>(this IEventKitBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.Replace(ServiceDescriptor.Scoped<IEventStore, EntityFrameworkEventStore<TContext>>());
        services.TryAddSingleton<EventKitDbContextInterceptor>();

        // Once per context type: a second UseEntityFramework with another context must wake the processor too.
        if (!services.Any(d => d.ServiceType == typeof(InterceptorRegistration<TContext>)))
        {
            services.AddSingleton<InterceptorRegistration<TContext>>();
            services.ConfigureDbContext<TContext>((provider, options) =>
            {
                // Research prototype (#13): the publish path is chosen per service provider, so benchmarks compare them in one run.
                if (provider.GetService<Microsoft.Extensions.Options.IOptions<EntityFrameworkPublishOptions>>()?.Value.Path is PublishPath.LeanChangeTracker or PublishPath.Statement)
                {
                    if (options.Options.FindExtension<EventKitContextOptionsExtension>() is null)
                    {
                        ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(EventKitContextOptionsExtension.Instance);
                    }
                }
                else
                {
                    options.AddInterceptors(provider.GetRequiredService<EventKitDbContextInterceptor>());
                }
            });
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventKitOptions>, EntityFrameworkStoreValidator<TContext>>());
        return builder;
    }
}
