using EventKit.Internal.Processing;
using FluentAssertions;
using Xunit;

namespace EventKit.Tests;

public sealed class RetryPolicyTests
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
    public void Backoff_IsExponentialWithTwentyPercentJitter(int attempt, double random, double expectedSeconds)
    {
        RetryPolicy.Backoff(attempt, Base, Max, random).TotalSeconds.Should().BeApproximately(expectedSeconds, 0.001);
    }

    [Fact]
    public void Compute_IsCappedAtMaxDelay()
    {
        RetryPolicy.Backoff(6, Base, Max, 1.0).Should().Be(Max);
        RetryPolicy.Backoff(100, Base, Max, 0.0).Should().Be(Max);
    }

    [Fact]
    public void Compute_ZeroBaseDelay_RetriesAtOnce()
    {
        RetryPolicy.Backoff(3, TimeSpan.Zero, Max, 0.7).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void NextAttemptAt_UsesTheInjectedRandomSource()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var policy = new RetryPolicy(() => 0.25);

        policy.NextAttemptAt(2, maxAttempts: 5, Base, Max, now).Should().Be(now + TimeSpan.FromSeconds(20 * 0.9), "attempt 2 waits 20 s, and 0.25 means −10 %");
    }

    [Fact]
    public void NextAttemptAt_AfterTheLastAttempt_IsNull_TheEventIsDeadLettered()
    {
        var policy = new RetryPolicy(() => 0.5);

        policy.NextAttemptAt(3, maxAttempts: 3, Base, Max, DateTimeOffset.UnixEpoch).Should().BeNull();
        policy.NextAttemptAt(2, maxAttempts: 3, Base, Max, DateTimeOffset.UnixEpoch).Should().NotBeNull();
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(62, 7)]
    [InlineData(int.MaxValue - 1, 10675199)]
    public void NextAttemptAt_PastDateTimeOffsetMaxValue_SaturatesAtMaxValue(int attempt, int maxDelayDays)
    {
        var policy = new RetryPolicy(() => 0.999999);
        var now = DateTimeOffset.MaxValue - TimeSpan.FromHours(1);

        policy.NextAttemptAt(attempt, maxAttempts: int.MaxValue, TimeSpan.FromDays(1), TimeSpan.FromDays(maxDelayDays), now).Should().Be(DateTimeOffset.MaxValue);
    }

    [Fact]
    public void Backoff_OfTheLargestDelays_NeverOverflows()
    {
        RetryPolicy.Backoff(int.MaxValue, TimeSpan.MaxValue, TimeSpan.MaxValue, 0.999999).Should().Be(TimeSpan.MaxValue);
        RetryPolicy.Backoff(1, TimeSpan.MaxValue, TimeSpan.MaxValue, 0.999999).Should().Be(TimeSpan.MaxValue);
    }
}
