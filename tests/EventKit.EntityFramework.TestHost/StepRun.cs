namespace EventKit.EntityFramework.TestHost;

/// <summary>
/// The side effect of <see cref="StepHandler"/>: one row per event, with positions from one database sequence taken
/// when its (last) run started and when it finished, so runs in different processes can be put in one order.
/// </summary>
public sealed class StepRun
{
    public Guid EventId { get; set; }

    public int Item { get; set; }

    public int Seq { get; set; }

    /// <summary>How many runs started; more than 1 means a retry or a duplicate.</summary>
    public int Runs { get; set; }

    public long Started { get; set; }

    public long? Finished { get; set; }

    public string Instance { get; set; } = "";
}
