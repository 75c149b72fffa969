namespace EventKit.Internal.Processing;

/// <summary>An outcome waiting to be recorded, with the lease it belongs to and how often writing it alone failed.</summary>
internal sealed class Settlement(LeasedEvent leased, EventOutcome outcome)
{
    public LeasedEvent Leased { get; } = leased;

    public EventOutcome Outcome { get; set; } = outcome;

    /// <summary>Failed attempts to write this outcome on its own while other outcomes were written.</summary>
    public int Failures { get; set; }
}
