namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// The groups of one status's events, built from the newest <see cref="Scanned"/> of them; <see cref="Complete"/> when
/// those were all of them.
/// </summary>
internal sealed record FailureGroups(IReadOnlyList<FailureGroup> Groups, long Scanned, bool Complete);
