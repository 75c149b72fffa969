namespace EventKit;

/// <summary>Options for one publish.</summary>
public sealed class PublishOptions
{
    /// <summary>
    /// Gets the UTC time before which the event is not handled (a delayed event), or <see langword="null"/> to make it
    /// runnable at once. A time in the past means "at once". Stored rounded up to whole microseconds.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public DateTimeOffset? AvailableAt { get; init; }

    /// <summary>Gets who caused the event (the design's <c>actor</c>); copied to every log entry. At most 200 characters, no NUL (U+0000) or unpaired surrogate.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? Actor { get; init; }

    /// <summary>Gets a correlation id to carry to handlers. At most 200 characters, no NUL (U+0000) or unpaired surrogate.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? CorrelationId { get; init; }

    /// <summary>
    /// Gets an idempotency key: publishing again with a key that is already stored stores nothing and returns the
    /// first event's id. At most 200 characters, no NUL (U+0000) or unpaired surrogate. Keys are freed when retention deletes the event.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? IdempotencyKey { get; init; }

    /// <summary>
    /// Gets whether the event is handled in order among the ordered events of its entity, as events of a type marked
    /// <see cref="EventTypeAttribute.Ordered"/> are: the opt-in for untyped publishing (a typed event is ordered when
    /// either says so). See <see cref="EventOrdering"/>.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool Ordered { get; init; }
}
