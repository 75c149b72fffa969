namespace EventKit.Internal.Processing;

/// <summary>Where a leased event is in the pipeline.</summary>
internal enum LeaseState
{
    /// <summary>Claimed and waiting in the buffer for a worker.</summary>
    Buffered,

    /// <summary>A worker runs its handlers.</summary>
    Running,

    /// <summary>Parked at a handler's concurrency limit, holding no worker, until a slot frees.</summary>
    Parked,

    /// <summary>Its outcome waits for the outcome writer.</summary>
    Writing,
}
