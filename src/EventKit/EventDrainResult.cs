namespace EventKit;

/// <summary>What one <see cref="IEventDrainer.DrainAsync"/> did.</summary>
public sealed class EventDrainResult
{
    internal EventDrainResult(int processed, int completed, int failed, int deadLettered, int released)
    {
        Processed = processed;
        Completed = completed;
        Failed = failed;
        DeadLettered = deadLettered;
        Released = released;
    }

    /// <summary>Gets how many event attempts ran (claimed and not released).</summary>
    public int Processed { get; }

    /// <summary>Gets how many events completed.</summary>
    public int Completed { get; }

    /// <summary>Gets how many attempts failed with a retry scheduled.</summary>
    public int Failed { get; }

    /// <summary>Gets how many events were dead-lettered.</summary>
    public int DeadLettered { get; }

    /// <summary>Gets how many claimed events were released without running (the drain was cancelled, or a lease was lost).</summary>
    public int Released { get; }

    /// <summary>Returns a one-line summary.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        $"processed {Processed}: {Completed} completed, {Failed} failed (retry scheduled), {DeadLettered} dead-lettered; {Released} released";
}
