namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// An aggregate and when the store computed it; <see cref="Kept"/> when <see cref="AggregateCache"/> served it from
/// memory (a large store), so the page says how old it is.
/// </summary>
internal readonly record struct Cached<T>(T Value, DateTimeOffset AsOf, bool Kept);
