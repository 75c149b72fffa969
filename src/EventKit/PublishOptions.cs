namespace EventKit;

/// <summary>Options for one publish.</summary>
public sealed class PublishOptions
{
    /// <summary>
    /// Gets the UTC time before which the event is not handled (a delayed event), or <see langword="null"/> to make it
    /// runnable at once. A time in the past means "at once".
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
}
