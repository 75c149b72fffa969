namespace EventKit;

/// <summary>What one run of retention deleted (<see cref="IEventOperations.RunRetentionAsync"/>).</summary>
public sealed class RetentionResult
{
    /// <summary>Gets how many completed events were deleted, with their logs.</summary>
    public long Completed { get; init; }

    /// <summary>Gets how many cancelled events were deleted, with their logs.</summary>
    public long Cancelled { get; init; }

    /// <summary>Gets how many dead letters were deleted, with their logs (only when <see cref="EventKitOptions.DeadLetterRetention"/> is not <see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    public long DeadLetters { get; init; }
}
