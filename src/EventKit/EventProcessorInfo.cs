namespace EventKit;

/// <summary>
/// The heartbeat of one running processor, as it records it in the store every
/// <see cref="EventKitOptions.ProcessorHeartbeatInterval"/> (<see cref="IEventOperations.GetProcessorsAsync"/>).
/// </summary>
public sealed class EventProcessorInfo
{
    /// <summary>Gets the processor's id: the lease owner it writes in <see cref="EventRecord.LockedBy"/>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the name of the machine it runs on.</summary>
    public required string Host { get; init; }

    /// <summary>Gets when it started (UTC, by its own clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when it last recorded its heartbeat (UTC, by its own clock).</summary>
    public required DateTimeOffset LastSeenAt { get; init; }

    /// <summary>Gets how many events it held at its last heartbeat: claimed and waiting, running, or waiting for their outcome to be recorded.</summary>
    public int InFlight { get; init; }
}
