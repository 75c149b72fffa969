namespace EventKit.Dashboard.Internal.Data;

/// <summary>A paused event type: who paused it, when, and why.</summary>
internal sealed record TypePause(string Type, string PausedBy, string? Reason, DateTimeOffset PausedAt);
