using System.Globalization;
using System.Reflection;

namespace EventKit.Internal;

/// <summary>What <see cref="EventTypeAttribute"/> and <see cref="EntityIdAttribute"/> say about a payload type, read once per type.</summary>
internal sealed class EventTypeMetadata
{
    private EventTypeMetadata(string? name, string? entity, Func<object, string?>? entityIdGetter, string? error, string? entityIdProperty = null, bool ordered = false)
    {
        Ordered = ordered;
        Name = name;
        Entity = entity;
        EntityIdGetter = entityIdGetter;
        Error = error;
        EntityIdProperty = entityIdProperty;
    }

    /// <summary>The event type name, or <see langword="null"/> when the type has no valid attribute (see <see cref="Error"/>).</summary>
    public string? Name { get; }

    public string? Entity { get; }

    /// <summary>Whether the type's events are ordered per entity (<see cref="EventTypeAttribute.Ordered"/>).</summary>
    public bool Ordered { get; }

    public Func<object, string?>? EntityIdGetter { get; }

    /// <summary>The name of the <see cref="EntityIdAttribute"/> property, for messages.</summary>
    public string? EntityIdProperty { get; }

    public string? Error { get; }

    public static EventTypeMetadata For<T>() => Cache<T>.Value;

    public static EventTypeMetadata For(Type type)
    {
        var attribute = type.GetCustomAttribute<EventTypeAttribute>(inherit: false);
        if (attribute is null)
        {
            return new(null, null, null, $"Type '{type.FullName}' has no [EventType(\"…\")] attribute, so its event type name is unknown. Add the attribute or pass the event type name explicitly.");
        }

        if (!EventValidation.IsValidTypeName(attribute.Name))
        {
            return new(null, null, null, $"[EventType(\"{attribute.Name}\")] on '{type.FullName}' is not a valid event type name: {EventValidation.TypeNameRule}.");
        }

        var entity = attribute.Entity ?? attribute.Name.Split('.', 2)[0];
        if (string.IsNullOrWhiteSpace(entity) || entity.Length > EventValidation.MaxEntityLength || EventValidation.IndexOfUnstorable(entity) >= 0)
        {
            return new(null, null, null, $"[EventType] on '{type.FullName}' has an invalid Entity: it must be non-blank, at most {EventValidation.MaxEntityLength} characters, and {EventValidation.StorableTextRule}.");
        }

        PropertyInfo? idProperty = null;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.IsDefined(typeof(EntityIdAttribute), inherit: true))
            {
                if (idProperty is not null)
                {
                    return new(null, null, null, $"Type '{type.FullName}' has more than one [EntityId] property ('{idProperty.Name}', '{property.Name}'); mark exactly one.");
                }

                idProperty = property;
            }
        }

        Func<object, string?>? getter = null;
        if (idProperty?.GetMethod is { } getMethod)
        {
            // A typed delegate, built once per payload type, keeps reflection off the publish path.
            getter = type.IsValueType
                ? instance => Format(getMethod.Invoke(instance, null))
                : (Func<object, string?>)typeof(EventTypeMetadata)
                    .GetMethod(nameof(CreateGetter), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(type, idProperty.PropertyType)
                    .Invoke(null, [getMethod])!;
        }

        return new(attribute.Name, entity, getter, null, idProperty?.Name, attribute.Ordered);
    }

    private static Func<object, string?> CreateGetter<TDeclaring, TProperty>(MethodInfo getMethod)
    {
        var typed = getMethod.CreateDelegate<Func<TDeclaring, TProperty>>();
        return instance => Format(typed((TDeclaring)instance));
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static class Cache<T>
    {
#pragma warning disable CA2263 // The generic overload reads this cache.
        public static readonly EventTypeMetadata Value = For(typeof(T));
#pragma warning restore CA2263
    }
}
