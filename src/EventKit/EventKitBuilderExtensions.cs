using System.Diagnostics.CodeAnalysis;
using EventKit.InMemory;
using EventKit.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EventKit;

/// <summary>Adds handlers and chooses the store on an <see cref="IEventKitBuilder"/>.</summary>
public static class EventKitBuilderExtensions
{
    /// <summary>
    /// Registers <typeparamref name="THandler"/> (scoped) for every <see cref="IEventHandler{TPayload}"/> it implements.
    /// Each payload type must carry <see cref="EventTypeAttribute"/>, which names the event type it handles.
    /// The handler's name in the event log is <see cref="EventHandlerOptions.Name"/>, by default its class name.
    /// Registering the same handler again with the same options changes nothing.
    /// </summary>
    /// <typeparam name="THandler">The handler class.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the handler's name and its own limits (timeout, attempts, backoff, concurrency), or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option set by <paramref name="configure"/> is out of range (the message names it).</exception>
    /// <exception cref="InvalidOperationException">
    /// <typeparamref name="THandler"/> implements no <see cref="IEventHandler{TPayload}"/>, a payload type has no valid
    /// <see cref="EventTypeAttribute"/>, another handler of the same event type has the same name, the handler is
    /// already registered with other options, or no <see cref="EventHandlerOptions.Name"/> is set and the class name is
    /// longer than 200 characters.
    /// </exception>
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Handler types are registered explicitly and kept by their registration.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Use AddHandler<THandler, TPayload>() for native AOT.")]
    [SuppressMessage("ApiDesign", "RS0026", Justification = "The two AddHandler overloads differ in generic arity, so a call is never ambiguous.")]
    public static IEventKitBuilder AddHandler<THandler>(this IEventKitBuilder builder, Action<EventHandlerOptions>? configure = null)
        where THandler : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        var (name, settings) = Configure(typeof(THandler), configure);

        var payloadTypes = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEventHandler<>))
            .Select(i => i.GetGenericArguments()[0])
            .ToArray();
        if (payloadTypes.Length == 0)
        {
            throw new InvalidOperationException($"'{typeof(THandler).FullName}' implements no IEventHandler<TPayload>, so it cannot be registered as an event handler.");
        }

        var descriptors = new List<HandlerDescriptor>(payloadTypes.Length);
        foreach (var payloadType in payloadTypes)
        {
            var metadata = EventTypeMetadata.For(payloadType);
            if (metadata.Name is null)
            {
                throw new InvalidOperationException(
                    $"Cannot register '{typeof(THandler).FullName}': {metadata.Error} " +
                    $"To handle an event type by name, use AddHandler<{typeof(THandler).Name}, {payloadType.Name}>(\"event.type\").");
            }

            // Closing the generic descriptor here, once, keeps reflection off the dispatch path.
            var descriptorType = typeof(HandlerDescriptor<,>).MakeGenericType(typeof(THandler), payloadType);
            descriptors.Add((HandlerDescriptor)Activator.CreateInstance(descriptorType, metadata.Name, name, settings)!);
        }

        return Register<THandler>(builder, descriptors);
    }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> (scoped) as the handler of <typeparamref name="TPayload"/> events,
    /// named by <paramref name="eventType"/> or, when that is <see langword="null"/>, by the payload type's
    /// <see cref="EventTypeAttribute"/>. Use it to handle an event type published with the untyped
    /// <c>PublishAsync(type, entity, entityId, payload)</c>, for example with a <c>JsonElement</c> payload.
    /// </summary>
    /// <typeparam name="THandler">The handler class.</typeparam>
    /// <typeparam name="TPayload">The payload type the JSON is deserialized to.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="eventType">The event type name, or <see langword="null"/> to read it from <typeparamref name="TPayload"/>.</param>
    /// <param name="configure">Sets the handler's name and its own limits, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="eventType"/> is not a valid event type name, or an option set by <paramref name="configure"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">No event type name is given or declared, another handler of the same event type has the same name, the handler is already registered with other options, or no <see cref="EventHandlerOptions.Name"/> is set and the class name is longer than 200 characters.</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "The two AddHandler overloads differ in generic arity, so a call is never ambiguous.")]
    public static IEventKitBuilder AddHandler<THandler, TPayload>(this IEventKitBuilder builder, string? eventType = null, Action<EventHandlerOptions>? configure = null)
        where THandler : class, IEventHandler<TPayload>
    {
        ArgumentNullException.ThrowIfNull(builder);
        var (name, settings) = Configure(typeof(THandler), configure);
        if (eventType is not null)
        {
            EventValidation.ValidateType(eventType, nameof(eventType));
        }
        else
        {
            var metadata = EventTypeMetadata.For<TPayload>();
            eventType = metadata.Name ?? throw new InvalidOperationException($"Cannot register '{typeof(THandler).FullName}': {metadata.Error}");
        }

        return Register<THandler>(builder, [new HandlerDescriptor<THandler, TPayload>(eventType, name, settings)]);
    }

    /// <summary>Uses the in-memory store: thread-safe and fast, for tests and single-process applications; events do not survive a restart. It is the default.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IEventKitBuilder UseInMemoryStore(this IEventKitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IEventStore, InMemoryEventStore>());
        return builder;
    }

    private static (string Name, HandlerSettings Settings) Configure(Type handlerType, Action<EventHandlerOptions>? configure)
    {
        if (configure is null)
        {
            return (DefaultName(handlerType), HandlerSettings.Defaults);
        }

        var options = new EventHandlerOptions();
        configure(options);
        var settings = HandlerSettings.From(options, handlerType, nameof(configure));
        return (options.Name ?? DefaultName(handlerType), settings);
    }

    /// <summary>The class name, when it can be the handler's name in the event log (the rule of <see cref="EventHandlerOptions.Name"/>).</summary>
    private static string DefaultName(Type handlerType)
    {
        var name = HandlerDescriptor.DefaultName(handlerType);
        if (name.Length > EventValidation.MaxHandlerNameLength || !EventValidation.IsStorableText(name))
        {
            throw new InvalidOperationException(
                $"Cannot register '{handlerType.FullName}': its class name ({name.Length} characters) would be its name in the event log, which is at most {EventValidation.MaxHandlerNameLength} characters. Give it a shorter one with EventHandlerOptions.Name: AddHandler<THandler>(o => o.Name = \"...\").");
        }

        return name;
    }

    private static IEventKitBuilder Register<THandler>(IEventKitBuilder builder, List<HandlerDescriptor> descriptors)
        where THandler : class
    {
        if (builder is not EventKitBuilder kit)
        {
            throw new ArgumentException("The builder must come from services.AddEventKit().", nameof(builder));
        }

        foreach (var descriptor in descriptors)
        {
            kit.Registry.Add(descriptor);
        }

        kit.Services.TryAddScoped<THandler>();
        return builder;
    }
}
