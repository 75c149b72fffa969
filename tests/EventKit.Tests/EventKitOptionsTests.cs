using EventKit.Internal;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace EventKit.Tests;

public sealed class EventKitOptionsTests
{
    private static readonly EventKitOptionsValidator Validator = new();

    [Fact]
    public void Defaults_AreValid_AndMatchTheDocumentation()
    {
        var options = new EventKitOptions();

        Validator.Validate(null, options).Succeeded.Should().BeTrue();
        options.Should().BeEquivalentTo(new
        {
            BatchSize = 100,
            MaxConcurrency = 8,
            PollingInterval = TimeSpan.FromSeconds(1),
            LeaseDuration = TimeSpan.FromSeconds(30),
            HandlerTimeout = TimeSpan.FromSeconds(30),
            MaxAttempts = 3,
            RetryBaseDelay = TimeSpan.FromSeconds(5),
            RetryMaxDelay = TimeSpan.FromMinutes(5),
            Retention = TimeSpan.FromDays(30),
            DeadLetterRetention = Timeout.InfiniteTimeSpan,
            CleanupInterval = TimeSpan.FromHours(1),
            CleanupBatchSize = 1000,
            DeadLetterUnhandledEvents = false,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            OutcomeBatchWindow = TimeSpan.FromMilliseconds(10),
            EnableProcessing = true,
            MaxPayloadSize = 1_048_576,
            MaxClaimPayloadSize = 4_194_304,
        });
    }

    public static TheoryData<Action<EventKitOptions>, string> InvalidOptions => new()
    {
        { o => o.BatchSize = 0, "EventKitOptions.BatchSize must be between 1 and 10,000; it was 0." },
        { o => o.BatchSize = 10_001, "EventKitOptions.BatchSize must be between 1 and 10,000; it was 10,001." },
        { o => o.MaxConcurrency = 0, "EventKitOptions.MaxConcurrency must be between 1 and 1,000; it was 0." },
        { o => o.MaxAttempts = 0, "EventKitOptions.MaxAttempts must be between 1 and 100; it was 0." },
        { o => o.MaxAttempts = 101, "EventKitOptions.MaxAttempts must be between 1 and 100; it was 101." },
        { o => o.CleanupBatchSize = 0, "EventKitOptions.CleanupBatchSize must be between 1 and 100,000; it was 0." },
        { o => o.MaxPayloadSize = 1023, "EventKitOptions.MaxPayloadSize must be between 1,024 and 268,435,456; it was 1,023." },
        { o => o.MaxPayloadSize = 268_435_457, "EventKitOptions.MaxPayloadSize must be between 1,024 and 268,435,456; it was 268,435,457." },
        { o => o.MaxClaimPayloadSize = 1023, "EventKitOptions.MaxClaimPayloadSize must be between 1,024 and 1,073,741,824; it was 1,023." },
        { o => o.MaxClaimPayloadSize = 1_073_741_825, "EventKitOptions.MaxClaimPayloadSize must be between 1,024 and 1,073,741,824; it was 1,073,741,825." },
        { o => o.PollingInterval = TimeSpan.FromMilliseconds(5), "EventKitOptions.PollingInterval must be between 00:00:00.0100000 and 01:00:00; it was 00:00:00.0050000." },
        { o => o.LeaseDuration = TimeSpan.FromMilliseconds(500), "EventKitOptions.LeaseDuration must be between 00:00:01 and 01:00:00; it was 00:00:00.5000000." },
        { o => o.HandlerTimeout = TimeSpan.Zero, "EventKitOptions.HandlerTimeout must be between 00:00:00.0010000 and 1.00:00:00 (or Timeout.InfiniteTimeSpan); it was 00:00:00." },
        { o => o.RetryBaseDelay = TimeSpan.FromSeconds(-1), "EventKitOptions.RetryBaseDelay must be between 00:00:00 and 1.00:00:00; it was -00:00:01." },
        { o => o.RetryMaxDelay = TimeSpan.FromSeconds(1), "EventKitOptions.RetryMaxDelay must be at least RetryBaseDelay (00:00:05); it was 00:00:01." },
        { o => o.Retention = TimeSpan.FromSeconds(30), "EventKitOptions.Retention must be between 00:01:00 and 3650.00:00:00 (or Timeout.InfiniteTimeSpan); it was 00:00:30." },
        { o => o.DeadLetterRetention = TimeSpan.Zero, "EventKitOptions.DeadLetterRetention must be between 00:01:00 and 3650.00:00:00 (or Timeout.InfiniteTimeSpan); it was 00:00:00." },
        { o => o.DeadLetterRetention = TimeSpan.FromDays(3651), "EventKitOptions.DeadLetterRetention must be between 00:01:00 and 3650.00:00:00 (or Timeout.InfiniteTimeSpan); it was 3651.00:00:00." },
        { o => o.Retention = TimeSpan.FromMilliseconds(-2), "EventKitOptions.Retention must be between 00:01:00 and 3650.00:00:00 (or Timeout.InfiniteTimeSpan); it was -00:00:00.0020000." },
        { o => o.CleanupInterval = TimeSpan.Zero, "EventKitOptions.CleanupInterval must be between 00:00:01 and 7.00:00:00; it was 00:00:00." },
        { o => o.ShutdownTimeout = TimeSpan.FromHours(2), "EventKitOptions.ShutdownTimeout must be between 00:00:00 and 01:00:00; it was 02:00:00." },
        { o => o.OutcomeBatchWindow = TimeSpan.FromSeconds(2), "EventKitOptions.OutcomeBatchWindow must be between 00:00:00 and 00:00:01; it was 00:00:02." },
        { o => o.OutcomeBatchWindow = TimeSpan.FromMilliseconds(-1), "EventKitOptions.OutcomeBatchWindow must be between 00:00:00 and 00:00:01; it was -00:00:00.0010000." },
        { o => o.SerializerOptions = null!, "EventKitOptions.SerializerOptions must not be null." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_OutOfRange_NamesTheOptionAndRange(Action<EventKitOptions> configure, string message)
    {
        var options = new EventKitOptions();
        configure(options);

        var result = Validator.Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().ContainSingle().Which.Should().Be(message);
    }

    [Fact]
    public void Validate_InfiniteTimeouts_AreAllowed()
    {
        var options = new EventKitOptions { HandlerTimeout = Timeout.InfiniteTimeSpan, Retention = Timeout.InfiniteTimeSpan, DeadLetterRetention = Timeout.InfiniteTimeSpan };

        Validator.Validate(null, options).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task HostStart_WithInvalidOptions_FailsWithTheMessage()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEventKit(o => o.BatchSize = 0);
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("EventKitOptions.BatchSize must be between 1 and 10,000; it was 0.");
    }
}
