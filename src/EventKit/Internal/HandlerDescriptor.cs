using System.Text.Json;

namespace EventKit.Internal;

/// <summary>One handler registered for one event type, closed over its handler and payload types at registration.</summary>
internal abstract class HandlerDescriptor
{
    protected HandlerDescriptor(string eventType, string name, HandlerSettings settings, Type handlerType, Type payloadType)
    {
        EventType = eventType;
        Name = name;
        Settings = settings;
        HandlerType = handlerType;
        PayloadType = payloadType;
    }

    public string EventType { get; }

    /// <summary>The handler's stable name: the event log's <c>action</c>, and how a retry knows it already succeeded.</summary>
    public string Name { get; }

    /// <summary>The handler's own limits; unset ones come from <see cref="EventKitOptions"/>.</summary>
    public HandlerSettings Settings { get; }

    public Type HandlerType { get; }

    public Type PayloadType { get; }

    /// <summary>Deserializes the payload; a <see cref="JsonException"/> or <see cref="NotSupportedException"/> means it can never succeed.</summary>
    public abstract object? Deserialize(string json, JsonSerializerOptions options);

    public abstract Task InvokeAsync(IServiceProvider services, EventRecord record, object? payload, CancellationToken cancellationToken);

    public static string DefaultName(Type handlerType)
    {
        var name = handlerType.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
