using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Testing.Tests;

/// <summary>The seed's "Testing de Eventos" section, written with the harness.</summary>
public sealed class SeedTests : IAsyncLifetime
{
    private readonly TestEventHandler.Calls _calls = new();
    private EventKitHarness _harness = null!;

    public Task InitializeAsync()
    {
        _harness = EventKitHarness.Create(
            b => b.AddHandler<TestEventHandler>(),
            o => o.MaxAttempts = 3,
            s => s.AddSingleton(_calls));
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _harness.DisposeAsync().AsTask();

    [Fact]
    public async Task ShouldPublishAndProcessEvent()
    {
        await _harness.PublishAsync("test.event", "test", "123", new { data = "test" });

        await _harness.DrainAsync();

        _calls.Count.Should().Be(1);
        _harness.Published<TestEvent>().Should().Equal(new TestEvent("test"));
    }

    [Fact]
    public async Task ShouldRetryFailedEvents()
    {
        _calls.Throw = () => new InvalidOperationException("Test error");
        var id = await _harness.PublishAsync("test.event", "test", "123", new { });

        var first = await _harness.DrainAsync();

        (await _harness.GetStatusAsync(id)).Should().Be(EventStatus.Failed);
        first.NextDueAt.Should().NotBeNull();
        _harness.AdvanceTime(first.NextDueAt!.Value - _harness.Time.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        (await _harness.DrainAsync()).Processed.Should().Be(0, "the backoff has not elapsed yet");

        _harness.AdvanceTime(TimeSpan.FromMilliseconds(1));
        await _harness.DrainAsync();
        (await _harness.GetStatusAsync(id)).Should().Be(EventStatus.Failed);
        _calls.Count.Should().Be(2);

        await _harness.DrainUntilIdleAsync();
        (await _harness.GetStatusAsync(id)).Should().Be(EventStatus.DeadLetter);
        _calls.Count.Should().Be(3, "MaxAttempts is 3");
        _harness.Failures.Select(f => f.Attempt).Should().Equal(1, 2, 3);
        _harness.Failures.Should().AllSatisfy(f => f.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("Test error"));
    }
}
