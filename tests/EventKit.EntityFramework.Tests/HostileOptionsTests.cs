using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>README: option ranges, validated at start (EventKitOptions) or at AddHandler (handler options).</summary>
public sealed class HostileOptionsTests(ITestOutputHelper output)
{
    public static TheoryData<string, Action<EventKitOptions>> BadOptions() => new()
    {
        { "BatchSize", o => o.BatchSize = 0 },
        { "BatchSize", o => o.BatchSize = 10_001 },
        { "MaxClaimPayloadSize", o => o.MaxClaimPayloadSize = 1023 },
        { "MaxConcurrency", o => o.MaxConcurrency = 1001 },
        { "PollingInterval", o => o.PollingInterval = TimeSpan.MaxValue },
        { "PollingInterval", o => o.PollingInterval = Timeout.InfiniteTimeSpan },
        { "PollingInterval", o => o.PollingInterval = TimeSpan.FromMilliseconds(9) },
        { "LeaseDuration", o => o.LeaseDuration = Timeout.InfiniteTimeSpan },
        { "LeaseDuration", o => o.LeaseDuration = TimeSpan.FromMilliseconds(999) },
        { "HandlerTimeout", o => o.HandlerTimeout = TimeSpan.Zero },
        { "HandlerTimeout", o => o.HandlerTimeout = TimeSpan.FromMilliseconds(-2) },
        { "HandlerTimeout", o => o.HandlerTimeout = TimeSpan.MaxValue },
        { "MaxAttempts", o => o.MaxAttempts = 0 },
        { "MaxAttempts", o => o.MaxAttempts = 101 },
        { "RetryBaseDelay", o => o.RetryBaseDelay = TimeSpan.FromTicks(-1) },
        { "RetryBaseDelay", o => o.RetryBaseDelay = TimeSpan.MinValue },
        { "RetryMaxDelay", o => o.RetryMaxDelay = TimeSpan.FromDays(8) },
        { "RetryMaxDelay", o => o.RetryMaxDelay = TimeSpan.FromSeconds(4) },
        { "Retention", o => o.Retention = TimeSpan.FromSeconds(59) },
        { "Retention", o => o.Retention = TimeSpan.MaxValue },
        { "DeadLetterRetention", o => o.DeadLetterRetention = TimeSpan.Zero },
        { "CleanupInterval", o => o.CleanupInterval = Timeout.InfiniteTimeSpan },
        { "CleanupBatchSize", o => o.CleanupBatchSize = 100_001 },
        { "ShutdownTimeout", o => o.ShutdownTimeout = Timeout.InfiniteTimeSpan },
        { "ShutdownTimeout", o => o.ShutdownTimeout = TimeSpan.FromHours(2) },
        { "OutcomeBatchWindow", o => o.OutcomeBatchWindow = TimeSpan.FromTicks(-1) },
        { "OutcomeBatchWindow", o => o.OutcomeBatchWindow = TimeSpan.FromSeconds(1.5) },
        { "MaxPayloadSize", o => o.MaxPayloadSize = 1023 },
        { "MaxPayloadSize", o => o.MaxPayloadSize = int.MaxValue },
        { "OrderedDeadLetters", o => o.OrderedDeadLetters = (OrderedDeadLetterPolicy)7 },
        { "SerializerOptions", o => o.SerializerOptions = null! },
        { "ProcessorHeartbeatInterval", o => o.ProcessorHeartbeatInterval = TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task EventKitOptions_OutOfRange_StopsHostStart_NamingTheOption(string option, Action<EventKitOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEventKit(configure);
        using var host = builder.Build();
        var start = () => host.StartAsync();
        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        output.WriteLine(error.Message);
        error.Message.Should().Contain("EventKitOptions." + option);
    }

    [Fact]
    public void EventKitOptions_AtTheirDocumentedBounds_AreAccepted()
    {
        var services = new ServiceCollection();
        services.AddEventKit(o =>
        {
            o.BatchSize = 10_000;
            o.MaxClaimPayloadSize = 1_073_741_824;
            o.MaxConcurrency = 1000;
            o.PollingInterval = TimeSpan.FromHours(1);
            o.LeaseDuration = TimeSpan.FromSeconds(1);
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
            o.MaxAttempts = 100;
            o.RetryBaseDelay = TimeSpan.FromDays(1);
            o.RetryMaxDelay = TimeSpan.FromDays(7);
            o.Retention = TimeSpan.FromDays(3650);
            o.DeadLetterRetention = Timeout.InfiniteTimeSpan;
            o.CleanupInterval = TimeSpan.FromDays(7);
            o.CleanupBatchSize = 100_000;
            o.ShutdownTimeout = TimeSpan.Zero;
            o.OutcomeBatchWindow = TimeSpan.FromSeconds(1);
            o.MaxPayloadSize = 268_435_456;
        });
        using var sp = services.BuildServiceProvider();
        var read = () => sp.GetRequiredService<IOptions<EventKitOptions>>().Value;
        read.Should().NotThrow();
    }

    public static TheoryData<string, Action<EventHandlerOptions>> BadHandlerOptions() => new()
    {
        { "Timeout", o => o.Timeout = TimeSpan.Zero },
        { "Timeout", o => o.Timeout = TimeSpan.MaxValue },
        { "Timeout", o => o.Timeout = TimeSpan.FromMilliseconds(-5) },
        { "MaxAttempts", o => o.MaxAttempts = 0 },
        { "MaxAttempts", o => o.MaxAttempts = int.MaxValue },
        { "RetryBaseDelay", o => o.RetryBaseDelay = TimeSpan.FromTicks(-1) },
        { "RetryMaxDelay", o => o.RetryMaxDelay = TimeSpan.MaxValue },
        { "RetryMaxDelay", o => { o.RetryBaseDelay = TimeSpan.FromMinutes(2); o.RetryMaxDelay = TimeSpan.FromMinutes(1); } },
        { "MaxConcurrency", o => o.MaxConcurrency = 0 },
        { "MaxConcurrency", o => o.MaxConcurrency = 1001 },
        { "Name", o => o.Name = "" },
        { "Name", o => o.Name = "  " },
        { "Name", o => o.Name = "*" },
        { "Name", o => o.Name = new string('n', 201) },
        { "Name", o => o.Name = "a\0b" },
        { "Name", o => o.Name = "a\uD800" },
    };

    [Theory]
    [MemberData(nameof(BadHandlerOptions))]
    public void HandlerOptions_OutOfRange_ThrowAtAddHandler_NamingTheOption(string option, Action<EventHandlerOptions> configure)
    {
        var services = new ServiceCollection();
        var add = () => services.AddEventKit().AddHandler<ProbeThingHandler>(configure);
        var error = add.Should().Throw<ArgumentException>().Which;
        output.WriteLine(error.Message);
        error.Message.Should().Contain("EventHandlerOptions." + option);
    }

    [Fact]
    public async Task HandlerOptions_CombinedWithDefaults_StopHostStart_NamingTheHandler()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEventKit().AddHandler<ProbeThingHandler>(o => o.RetryBaseDelay = TimeSpan.FromMinutes(10));
        using var host = builder.Build();
        var start = () => host.StartAsync();
        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        output.WriteLine(error.Message);
        error.Message.Should().Contain(nameof(ProbeThingHandler));
    }

    public static TheoryData<string, Action<EventKitHealthCheckOptions>> BadHealthOptions() => new()
    {
        { "MaxBacklogAge", o => o.MaxBacklogAge = TimeSpan.Zero },
        { "MaxBacklogAge", o => o.MaxBacklogAge = TimeSpan.FromDays(8) },
        { "MaxProcessorSilence", o => o.MaxProcessorSilence = TimeSpan.FromSeconds(4) },
        { "MaxProcessorSilence", o => o.MaxProcessorSilence = TimeSpan.MaxValue },
        { "DeadLetterThreshold", o => o.DeadLetterThreshold = -1 },
    };

    [Theory]
    [MemberData(nameof(BadHealthOptions))]
    public async Task HealthCheckOptions_OutOfRange_StopHostStart_NamingTheOption(string option, Action<EventKitHealthCheckOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEventKit();
        builder.Services.AddHealthChecks().AddEventKit(configure);
        using var host = builder.Build();
        var start = () => host.StartAsync();
        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        output.WriteLine(error.Message);
        error.Message.Should().Contain(option);
    }

    /// <summary>The harness: DrainUntilIdleAsync(maxTime) with TimeSpan.MaxValue ("no limit") should not overflow; bad input names maxTime.</summary>
    [Fact]
    public async Task Harness_DrainUntilIdle_WithTimeSpanMaxValue_DoesNotOverflow()
    {
        await using var harness = EventKit.Testing.EventKitHarness.Create(b => b.AddHandler<ProbeThingHandler>(), services: s => s.AddSingleton<ProbeSink>());
        await harness.PublishAsync(new ProbeThing("h", "x"), new PublishOptions { AvailableAt = harness.Time.GetUtcNow().AddDays(400) });
        var drain = () => harness.DrainUntilIdleAsync(TimeSpan.MaxValue);
        try
        {
            await drain();
        }
        catch (ArgumentException ex)
        {
            ex.ParamName.Should().Be("maxTime", $"the exception was {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>README: PayloadColumnType = "jsonb" is refused by AddEventKit(); other spellings of the same type too.</summary>
    [Theory]
    [InlineData("jsonb")]
    [InlineData(" JSONB ")]
    [InlineData("pg_catalog.jsonb")]
    [InlineData("\"jsonb\"")]
    public void PayloadColumnType_Jsonb_InAnySpelling_IsRefused(string columnType)
    {
        var add = () => new Microsoft.EntityFrameworkCore.ModelBuilder().AddEventKit(o => o.PayloadColumnType = columnType);
        add.Should().Throw<ArgumentException>();
    }
}
