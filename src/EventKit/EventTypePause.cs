namespace EventKit;

/// <summary>
/// A paused event type (<see cref="IEventOperations.PauseAsync"/>): its events stay pending and no processor sharing
/// the store claims them until it is resumed.
/// </summary>
public sealed class EventTypePause
{
    /// <summary>Gets the paused event type.</summary>
    public required string Type { get; init; }

    /// <summary>Gets who paused it (the operator's name given to <see cref="IEventOperations.PauseAsync"/>).</summary>
    public required string Actor { get; init; }

    /// <summary>Gets why.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets when (UTC).</summary>
    public required DateTimeOffset PausedAt { get; init; }
}
