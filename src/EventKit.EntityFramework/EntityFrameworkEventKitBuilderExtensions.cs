using EventKit.EntityFramework.Internal;
using EventKit.EntityFramework.Internal.Notifications;
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
    /// <see cref="IEventPublisher"/> adds events to the scoped <typeparamref name="TContext"/> (nothing is tracked by EF
    /// Core), and your next <c>SaveChanges</c> writes them with EventKit's own INSERT inside its transaction, so they commit
    /// with your business change and vanish with a rollback; the processor in this process is woken when they commit.
    /// Map the tables with <c>modelBuilder.AddEventKit()</c> and register the context with <c>AddDbContext</c> or
    /// <c>AddDbContextPool</c>. Host start-up fails with a clear message for any other provider.
    /// </summary>
    /// <typeparam name="TContext">The application's context.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">EventKit already uses another context type.</exception>
    public static IEventKitBuilder UseEntityFramework<TContext>(this IEventKitBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // Events are published into the store's context, and only its SaveChanges commits them: a second context type
        // would take every event while the application saves the first (the events would never be stored).
        if (services.FirstOrDefault(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(OutboxRegistration<>)
            && d.ServiceType != typeof(OutboxRegistration<TContext>)) is { } other)
        {
            var chosen = other.ServiceType.GenericTypeArguments[0];
            throw new InvalidOperationException(
                $"EventKit already stores events in '{chosen.FullName}' (UseEntityFramework<{chosen.Name}>()), so it cannot also use '{typeof(TContext).FullName}': " +
                "events are published into one context type, the one whose SaveChanges commits them with your changes. Call UseEntityFramework once, with the context your units of work save.");
        }

        services.Replace(ServiceDescriptor.Scoped<IEventStore, EntityFrameworkEventStore<TContext>>());
        services.TryAddScoped<UnsavedPublications>();

        // Once (a second call with the same context changes nothing): the outbox joins the context's own EF Core
        // services, with one shared interceptor, through an options extension.
        if (!services.Any(d => d.ServiceType == typeof(OutboxRegistration<TContext>)))
        {
            services.AddSingleton<OutboxRegistration<TContext>>();
            services.ConfigureDbContext<TContext>((_, options) =>
            {
                if (options.Options.FindExtension<EventKitContextOptionsExtension>() is null)
                {
                    ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(EventKitContextOptionsExtension.Instance);
                }
            });
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventKitOptions>, EntityFrameworkStoreValidator<TContext>>());
        services.AddOptions<EntityFrameworkStoreOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventStoreWatcher, NotificationListener<TContext>>());
        services.TryAddSingleton<CommitNotifier>();
        return builder;
    }

    /// <summary>
    /// Stores events in <typeparamref name="TContext"/>'s database, as <see cref="UseEntityFramework{TContext}(IEventKitBuilder)"/>
    /// does, with the store's settings configured by <paramref name="configure"/> (for example
    /// <c>o => o.UseNotifications = false</c>). The settings apply to every context EventKit uses in the application.
    /// </summary>
    /// <typeparam name="TContext">The application's context.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="EntityFrameworkStoreOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">EventKit already uses another context type.</exception>
    public static IEventKitBuilder UseEntityFramework<TContext>(this IEventKitBuilder builder, Action<EntityFrameworkStoreOptions> configure)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.UseEntityFramework<TContext>();
        builder.Services.Configure(configure);
        return builder;
    }
}
