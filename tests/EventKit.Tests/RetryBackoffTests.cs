using EventKit.Internal;
using FluentAssertions;
using Xunit;

namespace EventKit.Tests;

public sealed class RetryBackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(1, 0.0, 8)]
    [InlineData(1, 0.5, 10)]
    [InlineData(1, 0.999999, 12)]
    [InlineData(2, 0.5, 20)]
    [InlineData(3, 0.5, 40)]
    [InlineData(4, 0.0, 64)]
    public void Compute_IsExponentialWithTwentyPercentJitter(int attempt, double random, double expectedSeconds)
    {
        RetryBackoff.Compute(attempt, Base, Max, random).TotalSeconds.Should().BeApproximately(expectedSeconds, 0.001);
    }

    [Fact]
    public void Compute_IsCappedAtMaxDelay()
    {
        RetryBackoff.Compute(6, Base, Max, 1.0).Should().Be(Max);
        RetryBackoff.Compute(100, Base, Max, 0.0).Should().Be(Max);
    }

    [Fact]
    public void Compute_ZeroBaseDelay_RetriesAtOnce()
    {
        RetryBackoff.Compute(3, TimeSpan.Zero, Max, 0.7).Should().Be(TimeSpan.Zero);
    }
}
