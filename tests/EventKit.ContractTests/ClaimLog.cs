using System.Collections.Concurrent;

namespace EventKit.ContractTests;

/// <summary>What every claim of a <see cref="TestApp"/> returned: the UTF-8 size of each claimed payload, in claim order.</summary>
public sealed class ClaimLog
{
    public ConcurrentQueue<IReadOnlyList<int>> Claims { get; } = new();

    /// <summary>The claims that returned events.</summary>
    public IReadOnlyList<IReadOnlyList<int>> NonEmpty => [.. Claims.Where(c => c.Count > 0)];
}
