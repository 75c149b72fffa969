namespace EventKit.Internal.Operations;

/// <summary>Checks an <see cref="EventFilter"/> at the call, and normalizes its times to UTC, before any store sees it.</summary>
internal static class EventFilterRules
{
    public const string Statuses = "Pending, Processing, Completed, Failed, DeadLetter, Cancelled";

    /// <summary>Returns a validated copy with UTC times.</summary>
    /// <exception cref="ArgumentException">A property is invalid; the message names it and what is allowed.</exception>
    public static EventFilter Validate(EventFilter? filter, string paramName)
    {
        if (filter is null)
        {
            return new EventFilter();
        }

        if (filter.Status is { } status && !Enum.IsDefined(status))
        {
            throw new ArgumentException($"EventFilter.Status {(int)status} is not an event status. Allowed values: {Statuses}, or null for any.", paramName);
        }

        if (filter.Type is { } type && !EventValidation.IsValidTypeName(type))
        {
            throw new ArgumentException($"EventFilter.Type '{EventValidation.Shorten(type)}' is not a valid event type name: {EventValidation.TypeNameRule}; or null for any.", paramName);
        }

        Text(filter.Entity, EventValidation.MaxEntityLength, "Entity", paramName);
        Text(filter.EntityId, EventValidation.MaxEntityIdLength, "EntityId", paramName);
        if (filter.EntityId is not null && filter.Entity is null)
        {
            throw new ArgumentException("EventFilter.EntityId requires EventFilter.Entity: entity ids are unique only within their kind of entity.", paramName);
        }

        if (filter.CreatedFrom is { } from && filter.CreatedBefore is { } before && before < from)
        {
            throw new ArgumentException($"EventFilter.CreatedBefore ({before:O}) must not be before EventFilter.CreatedFrom ({from:O}).", paramName);
        }

        return new EventFilter
        {
            Status = filter.Status,
            Type = filter.Type,
            Entity = filter.Entity,
            EntityId = filter.EntityId,
            CreatedFrom = filter.CreatedFrom?.ToUniversalTime(),
            CreatedBefore = filter.CreatedBefore?.ToUniversalTime(),
        };
    }

    /// <summary>Whether <paramref name="record"/> matches <paramref name="filter"/> (for stores that filter in memory).</summary>
    public static bool Matches(this EventFilter filter, EventRecord record) =>
        (filter.Status is not { } status || record.Status == status)
        && (filter.Type is null || record.Type == filter.Type)
        && (filter.Entity is null || record.Entity == filter.Entity)
        && (filter.EntityId is null || record.EntityId == filter.EntityId)
        && (filter.CreatedFrom is not { } from || record.CreatedAt >= from)
        && (filter.CreatedBefore is not { } before || record.CreatedAt < before);

    /// <summary>Whether no property is set.</summary>
    public static bool IsEmpty(this EventFilter filter) =>
        filter is { Status: null, Type: null, Entity: null, EntityId: null, CreatedFrom: null, CreatedBefore: null };

    private static void Text(string? value, int maxLength, string property, string paramName)
    {
        if (value is not null && (string.IsNullOrWhiteSpace(value) || value.Length > maxLength || !EventValidation.IsStorableText(value)))
        {
            throw new ArgumentException($"EventFilter.{property} must be null (any), or non-blank text of at most {maxLength} characters without NUL characters or unpaired surrogates.", paramName);
        }
    }
}
