namespace EventKit;

/// <summary>
/// Marks the property of a payload type that holds the entity id, so typed publishing needs no explicit id.
/// The value is formatted with the invariant culture.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class EntityIdAttribute : Attribute
{
}
