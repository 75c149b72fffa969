namespace EventKit.Internal.Processing;

/// <summary>What a drain (or a run) recorded: events claimed, and how their outcomes ended.</summary>
internal readonly record struct ProcessingSummary(int Claimed, int Completed, int Failed, int DeadLettered, int Released, DateTimeOffset? NextRetryAt)
{
    public static ProcessingSummary Empty => default;
}
