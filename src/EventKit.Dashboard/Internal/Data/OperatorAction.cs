namespace EventKit.Dashboard.Internal.Data;

/// <summary>Who performs an operator action and why, as the operations API records them.</summary>
internal sealed record OperatorAction(string PerformedBy, string Reason)
{
    /// <summary>
    /// The reason recorded when the operator typed none: the operations API refuses a blank reason, and the record
    /// still says where the action came from.
    /// </summary>
    public const string DefaultReason = "via dashboard";

    /// <summary>The operations API's limits on <c>actor</c> and <c>reason</c>.</summary>
    public const int MaxPerformedBy = 200;

    public const int MaxReason = 2_000;
}
