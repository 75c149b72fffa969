namespace EventKit.Dashboard.Internal.Data;

/// <summary>Who performs an operator action and why; recorded with the action.</summary>
internal sealed record OperatorAction(string PerformedBy, string? Reason);
