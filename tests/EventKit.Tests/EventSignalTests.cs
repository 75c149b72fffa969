using EventKit.ContractTests;
using EventKit.Storage;
using FluentAssertions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.Tests;

/// <summary>
/// What the in-process signal keeps between two waits of the claim loop: whether something is runnable, and every future
/// due time announced, so a commit due now never makes it forget a delayed event or a retry announced beside it.
/// </summary>
public sealed class EventSignalTests
{
    private readonly FakeTimeProvider _time = new(TestApp.Start);

    [Fact]
    public void NothingAnnounced_NothingRunnable_NoDueTime()
    {
        new EventSignal(_time).Take(_time.GetUtcNow()).Should().Be((false, null));
    }

    [Fact]
    public void DueTime_AnnouncedBesideOneDueNow_IsKept_UntilItComes()
    {
        var signal = new EventSignal(_time);
        signal.Notify(TestApp.Start.AddSeconds(10));
        signal.Notify(TestApp.Start);

        signal.Take(_time.GetUtcNow()).Should().Be((true, TestApp.Start.AddSeconds(10)));
        signal.Take(_time.GetUtcNow()).Should().Be((false, TestApp.Start.AddSeconds(10)), "taking forgets only what is runnable");

        _time.Advance(TimeSpan.FromSeconds(10));
        signal.Take(_time.GetUtcNow()).Should().Be((true, null), "the due time came: runnable, and forgotten");
        signal.Take(_time.GetUtcNow()).Should().Be((false, null));
    }

    [Fact]
    public void SeveralDueTimes_EachIsKept_InOrder()
    {
        var signal = new EventSignal(_time);
        signal.Notify(TestApp.Start.AddSeconds(30));
        signal.Notify(TestApp.Start.AddSeconds(10));
        signal.Notify(TestApp.Start.AddSeconds(20));

        signal.Take(TestApp.Start).Should().Be((false, TestApp.Start.AddSeconds(10)));
        signal.Take(TestApp.Start.AddSeconds(15)).Should().Be((true, TestApp.Start.AddSeconds(20)));
        signal.Take(TestApp.Start.AddSeconds(31)).Should().Be((true, null), "two due times came at once");
    }

    [Fact]
    public void DueTime_IsRoundedUpToAWholeMillisecond_NeverEarly()
    {
        var signal = new EventSignal(_time);
        signal.Notify(TestApp.Start.AddTicks(10_001));

        signal.Take(TestApp.Start).Next.Should().Be(TestApp.Start.AddTicks(20_000));
        signal.Take(TestApp.Start.AddTicks(10_001)).Runnable.Should().BeFalse("it comes due at the next whole millisecond");
    }

    [Fact]
    public void DueTimes_AreBounded_TheLatestAreLeftToThePoll()
    {
        var signal = new EventSignal(_time);
        for (var i = EventSignal.MaxFutureTimes; i >= 0; i--)
        {
            signal.Notify(TestApp.Start.AddMilliseconds(i + 1));
        }

        signal.Take(TestApp.Start.AddMilliseconds(EventSignal.MaxFutureTimes)).Should().Be((true, null), "the latest time was dropped when the bound was passed");
    }

    [Fact]
    public void FarFutureAndPast_DoNotOverflow()
    {
        var signal = new EventSignal(_time);
        signal.Notify(DateTimeOffset.MaxValue);
        signal.Notify(DateTimeOffset.MinValue);

        signal.Take(_time.GetUtcNow()).Should().Be((true, DateTimeOffset.MaxValue));
    }
}
