namespace EventKit.EntityFramework.TestHost;

/// <summary>
/// The side effect of <see cref="RecordingHandler"/>: one row per event and handler, unique on both, so a handler
/// that runs again for the same event shows up as <see cref="Runs"/> above 1 instead of a second row.
/// </summary>
public sealed class HandledEvent
{
    public Guid EventId { get; set; }

    public string Handler { get; set; } = "";

    /// <summary>How many times the handler ran for the event; more than 1 means duplicates.</summary>
    public int Runs { get; set; }

    /// <summary>The test-host instance that ran it first.</summary>
    public string Instance { get; set; } = "";
}
