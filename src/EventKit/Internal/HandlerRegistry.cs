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
                    return; // Registering the same handler twice changes nothing.
                }

                if (existing.Name == descriptor.Name)
                {
                    throw new InvalidOperationException(
                        $"Handlers '{existing.HandlerType.FullName}' and '{descriptor.HandlerType.FullName}' are both named '{descriptor.Name}' for event type '{descriptor.EventType}'. " +
                        "Handler names identify handler runs in the event log and must be unique per event type; rename one of the classes.");
                }
            }

            list.Add(descriptor);
        }
    }

    public IReadOnlyList<HandlerDescriptor> GetHandlers(string eventType) =>
        Frozen.TryGetValue(eventType, out var handlers) ? handlers : [];

    public IEnumerable<string> EventTypes => Frozen.Keys;

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
