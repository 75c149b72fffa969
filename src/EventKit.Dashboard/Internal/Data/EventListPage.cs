namespace EventKit.Dashboard.Internal.Data;

/// <summary>One page of a keyset-paged event list; <see cref="Next"/> continues it, <see langword="null"/> at the end.</summary>
internal sealed record EventListPage(IReadOnlyList<EventRecord> Events, string? Next);
