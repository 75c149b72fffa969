namespace EventKit.Internal;

/// <summary>What one <see cref="EventProcessor.ProcessBatchAsync"/> call did.</summary>
internal readonly record struct BatchResult(int Claimed, int Completed, int Failed, int DeadLettered, int Released, DateTimeOffset? NextRetryAt)
{
    public static BatchResult Empty => default;
}
