namespace EventKit.Testing;

/// <summary>What one <see cref="EventKitHarness.DrainAsync"/> (or <see cref="EventKitHarness.DrainUntilIdleAsync"/>) did.</summary>
public sealed class DrainResult
{
    internal DrainResult(int processed, int completed, int failed, int deadLettered, DateTimeOffset? nextDueAt)
    {
        Processed = processed;
        Completed = completed;
        Failed = failed;
        DeadLettered = deadLettered;
        NextDueAt = nextDueAt;
    }

    /// <summary>Gets how many event attempts ran.</summary>
    public int Processed { get; }

    /// <summary>Gets how many events completed.</summary>
    public int Completed { get; }

    /// <summary>Gets how many attempts failed with a retry scheduled.</summary>
    public int Failed { get; }

    /// <summary>Gets how many events were dead-lettered.</summary>
    public int DeadLettered { get; }

    /// <summary>Gets when the next event published through the harness comes due (a retry or a delayed event), or <see langword="null"/> if none is waiting.</summary>
    public DateTimeOffset? NextDueAt { get; }

    /// <summary>Returns a one-line summary.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"processed {Processed}: {Completed} completed, {Failed} failed (retry scheduled), {DeadLettered} dead-lettered; next due: {(NextDueAt is { } at ? at.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "none")}";
}
