using FluentAssertions;
using Xunit;

namespace EventKit.Tests;

public sealed class EventStatusExtensionsTests
{
    [Theory]
    [InlineData(EventStatus.Pending, "pending")]
    [InlineData(EventStatus.Processing, "processing")]
    [InlineData(EventStatus.Completed, "completed")]
    [InlineData(EventStatus.Failed, "failed")]
    [InlineData(EventStatus.DeadLetter, "dead_letter")]
    public void Status_UsesTheSeedsWords_BothWays(EventStatus status, string word)
    {
        status.ToStorageString().Should().Be(word);
        EventStatusExtensions.ParseStatus(word).Should().Be(status);
    }

    [Fact]
    public void ParseStatus_Unknown_ThrowsListingTheAllowedWords()
    {
        var parse = () => EventStatusExtensions.ParseStatus("done");

        parse.Should().Throw<ArgumentException>().WithMessage("*pending, processing, completed, failed, dead_letter*").Which.ParamName.Should().Be("value");
    }
}
