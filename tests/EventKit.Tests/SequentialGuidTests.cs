using EventKit.Internal;
using FluentAssertions;
using Xunit;

namespace EventKit.Tests;

public sealed class SequentialGuidTests
{
    [Fact]
    public void IdsOfOneMillisecond_IncreaseInTheOrderTheyAreMade_AsGuidsAndAsText()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 10_000).Select(_ => SequentialGuid.Next(now)).ToList();

        ids.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        ids.Select(i => i.ToString("D").ToUpperInvariant()).Should().BeInAscendingOrder(StringComparer.Ordinal, "SQLite stores them as upper-case text");
        ids.Should().OnlyContain(i => i.Version == 7 && (i.Variant & 0b1100) == 0b1000, "version 7, RFC 9562 variant");
    }

    [Fact]
    public void Ids_CarryTheirMillisecond_AndALaterOneSortsAfter()
    {
        // The generator is process-wide and never goes back: an id carries its own millisecond only when it is later
        // than every id made before it, also by parallel tests whose fake clocks run years ahead (one moves ten years,
        // one runs at 9999-12-31 23:00 to schedule a retry past DateTimeOffset.MaxValue). The last second of year 9999
        // is past them all, and within the 48 bits of milliseconds.
        var now = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);
        var first = SequentialGuid.Next(now);
        var later = SequentialGuid.Next(now.AddMilliseconds(1));

        later.CompareTo(first).Should().BePositive();
        Convert.ToInt64(first.ToString("N")[..12], 16).Should().Be(now.ToUnixTimeMilliseconds());
    }
}
