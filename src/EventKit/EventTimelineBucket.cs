namespace EventKit;

/// <summary>What happened to events in one bucket of a timeline (<see cref="IEventOperations.GetTimelineAsync"/>).</summary>
public sealed class EventTimelineBucket
{
    /// <summary>Gets the UTC start of the bucket (inclusive); it ends where the next begins.</summary>
    public required DateTimeOffset Start { get; init; }

    /// <summary>Gets how many events were created (published) in the bucket.</summary>
    public long Created { get; init; }

    /// <summary>Gets how many events completed in the bucket (by <see cref="EventRecord.ProcessedAt"/>, among those still retained).</summary>
    public long Completed { get; init; }

    /// <summary>Gets how many attempts failed in the bucket: attempts with at least one failed handler run, by the time the run ended.</summary>
    public long Failed { get; init; }

    /// <summary>Gets how many events were dead-lettered in the bucket (among those still dead letters).</summary>
    public long DeadLettered { get; init; }

    /// <summary>Gets how many events were cancelled in the bucket (among those still retained).</summary>
    public long Cancelled { get; init; }
}
