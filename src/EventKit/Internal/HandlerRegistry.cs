using System.Collections.Frozen;

namespace EventKit.Internal;

/// <summary>The handlers registered through <c>AddHandler</c>, by event type. Written while services are configured, read-only once processing starts.</summary>
internal sealed class HandlerRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<HandlerDescriptor>> _handlers = new(StringComparer.Ordinal);
    private FrozenDictionary<string, HandlerDescriptor[]>? _frozen;

    public void Add(HandlerDescriptor descriptor)
    {
        lock (_gate)
        {
            if (_frozen is not null)
            {
                throw new InvalidOperationException("Handlers cannot be added after EventKit has started processing. Register every handler while configuring services.");
            }

            if (!_handlers.TryGetValue(descriptor.EventType, out var list))
            {
                _handlers[descriptor.EventType] = list = [];
            }

            foreach (var existing in list)
            {
                if (existing.HandlerType == descriptor.HandlerType)
                {
                    if (existing.Name == descriptor.Name && existing.Settings == descriptor.Settings)
                    {
                        return; // Registering the same handler twice changes nothing.
                    }

                    throw new InvalidOperationException(
                        $"Handler '{descriptor.HandlerType.FullName}' is already registered for event type '{descriptor.EventType}' with other options (name '{existing.Name}'). Register each handler once.");
                }

                if (existing.Name == descriptor.Name)
                {
                    throw new InvalidOperationException(
                        $"Handlers '{existing.HandlerType.FullName}' and '{descriptor.HandlerType.FullName}' are both named '{descriptor.Name}' for event type '{descriptor.EventType}'. " +
                        "Handler names identify handler runs in the event log and must be unique per event type; set EventHandlerOptions.Name on one of them, or rename a class.");
                }
            }

            list.Add(descriptor);
        }
    }

    public IReadOnlyList<HandlerDescriptor> GetHandlers(string eventType) =>
        Frozen.TryGetValue(eventType, out var handlers) ? handlers : [];

    public IEnumerable<string> EventTypes => Frozen.Keys;

    /// <summary>Every registered handler, for start-up validation.</summary>
    public IEnumerable<HandlerDescriptor> All => Frozen.Values.SelectMany(h => h);

    private FrozenDictionary<string, HandlerDescriptor[]> Frozen
    {
        get
        {
            var frozen = Volatile.Read(ref _frozen);
            if (frozen is not null)
            {
                return frozen;
            }

            lock (_gate)
            {
                return _frozen ??= _handlers.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
            }
        }
    }
}
