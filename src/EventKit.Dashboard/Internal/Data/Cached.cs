namespace EventKit.Dashboard.Internal.Data;

/// <summary>
/// An aggregate and when the store computed it; <see cref="Kept"/> when <see cref="AggregateCache"/> served it from
/// memory (a large store), so the page says how old it is. When <see cref="Computing"/>, there is no value yet: the
/// store has been computing it since <see cref="AsOf"/> for longer than a request waits (<see cref="AggregatePolicy.FirstWait"/>),
/// and <see cref="Value"/> is the default.
/// </summary>
internal readonly record struct Cached<T>(T Value, DateTimeOffset AsOf, bool Kept, bool Computing = false)
{
    /// <summary>No value yet: the computation started at <paramref name="startedAt"/> goes on in the background.</summary>
    public static Cached<T> Pending(DateTimeOffset startedAt) => new(default!, startedAt, Kept: false, Computing: true);
}
