namespace EventKit.Dashboard.Internal.Data;

/// <summary>How many events a filter matched when counted: exactly <see cref="Count"/>, or (not <see cref="Exact"/>) more than it.</summary>
internal readonly record struct MatchCount(long Count, bool Exact);
