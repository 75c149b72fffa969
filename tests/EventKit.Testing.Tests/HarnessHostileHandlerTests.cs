using FluentAssertions;
using Xunit;

namespace EventKit.Testing.Tests;

/// <summary>
/// Hostile handlers under the harness. README "Testing your handlers": <c>EnsureCompletedAsync(id)</c> /
/// <c>EnsureAllCompletedAsync()</c> throw <see cref="EventKitHarnessException"/> describing each event with its handler
/// failures; a failure the handler threw must not replace that report with the handler's own exception.
/// </summary>
public sealed class HarnessHostileHandlerTests
{
    [Fact]
    public async Task EnsureCompleted_WhenTheHandlersExceptionCannotBeRead_StillThrowsTheHarnessReport()
    {
        await using var harness = EventKitHarness.Create(b => b.AddHandler<UnreadableFailureHandler>(), o => o.MaxAttempts = 1);
        var id = await harness.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        await harness.DrainUntilIdleAsync();

        harness.Failures.Should().ContainSingle().Which.Exception.Should().BeOfType<UnreadableException>();
        var one = () => harness.EnsureCompletedAsync(id);
        var all = () => harness.EnsureAllCompletedAsync();

        (await one.Should().ThrowAsync<EventKitHarnessException>()).Which.Message.Should()
            .Contain("dead_letter after 1 attempt(s)").And.Contain(nameof(UnreadableException));
        (await all.Should().ThrowAsync<EventKitHarnessException>()).Which.Message.Should().Contain("1 of 1 are not");
        harness.Failures[0].ToString().Should().Contain(nameof(UnreadableFailureHandler)).And.Contain(nameof(UnreadableException));
    }

    /// <summary>An exception whose Message and ToString throw.</summary>
    public sealed class UnreadableException : Exception
    {
        public override string Message => throw new InvalidOperationException("Message is broken");

        public override string ToString() => throw new InvalidOperationException("ToString is broken");
    }

    public sealed class UnreadableFailureHandler : IEventHandler<UserCreated>
    {
        public Task HandleAsync(EventContext<UserCreated> context, CancellationToken cancellationToken) => throw new UnreadableException();
    }
}
