using Microsoft.Extensions.Options;

namespace EventKit.Internal;

/// <summary>Checks <see cref="EventKitOptions"/> ranges at start; every message names the option and its allowed range.</summary>
internal sealed class EventKitOptionsValidator(HandlerRegistry? registry = null) : IValidateOptions<EventKitOptions>
{
    public ValidateOptionsResult Validate(string? name, EventKitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        Range(failures, nameof(options.BatchSize), options.BatchSize, 1, 10_000);
        Range(failures, nameof(options.MaxConcurrency), options.MaxConcurrency, 1, 1_000);
        Range(failures, nameof(options.MaxAttempts), options.MaxAttempts, 1, 100);
        Range(failures, nameof(options.CleanupBatchSize), options.CleanupBatchSize, 1, 100_000);
        Range(failures, nameof(options.MaxPayloadSize), options.MaxPayloadSize, 1024, 256 * 1024 * 1024);
        Range(failures, nameof(options.MaxClaimPayloadSize), options.MaxClaimPayloadSize, 1024, 1024 * 1024 * 1024);

        Range(failures, nameof(options.PollingInterval), options.PollingInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Range(failures, nameof(options.LeaseDuration), options.LeaseDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        if (options.HandlerTimeout != Timeout.InfiniteTimeSpan)
        {
            Range(failures, nameof(options.HandlerTimeout), options.HandlerTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1), "or Timeout.InfiniteTimeSpan");
        }

        Range(failures, nameof(options.RetryBaseDelay), options.RetryBaseDelay, TimeSpan.Zero, TimeSpan.FromDays(1));
        Range(failures, nameof(options.RetryMaxDelay), options.RetryMaxDelay, TimeSpan.Zero, TimeSpan.FromDays(7));
        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            failures.Add($"EventKitOptions.RetryMaxDelay must be at least RetryBaseDelay ({options.RetryBaseDelay}); it was {options.RetryMaxDelay}.");
        }

        if (options.Retention != Timeout.InfiniteTimeSpan)
        {
            Range(failures, nameof(options.Retention), options.Retention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650), "or Timeout.InfiniteTimeSpan");
        }

        if (options.DeadLetterRetention != Timeout.InfiniteTimeSpan)
        {
            Range(failures, nameof(options.DeadLetterRetention), options.DeadLetterRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650), "or Timeout.InfiniteTimeSpan");
        }

        Range(failures, nameof(options.CleanupInterval), options.CleanupInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        Range(failures, nameof(options.ShutdownTimeout), options.ShutdownTimeout, TimeSpan.Zero, TimeSpan.FromHours(1));
        Range(failures, nameof(options.OutcomeBatchWindow), options.OutcomeBatchWindow, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Range(failures, nameof(options.ProcessorHeartbeatInterval), options.ProcessorHeartbeatInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

        if (!Enum.IsDefined(options.OrderedDeadLetters))
        {
            failures.Add($"EventKitOptions.OrderedDeadLetters must be OrderedDeadLetterPolicy.Skip or OrderedDeadLetterPolicy.Wait; it was {(int)options.OrderedDeadLetters}.");
        }

        if (options.SerializerOptions is null)
        {
            failures.Add("EventKitOptions.SerializerOptions must not be null.");
        }

        // A handler's own limits were checked at registration; here they meet the defaults they complete.
        foreach (var handler in registry?.All ?? [])
        {
            var settings = handler.Settings;
            var baseDelay = settings.EffectiveRetryBaseDelay(options);
            var maxDelay = settings.EffectiveRetryMaxDelay(options);
            if ((settings.RetryBaseDelay is not null || settings.RetryMaxDelay is not null) && maxDelay < baseDelay)
            {
                failures.Add(
                    $"Handler '{handler.Name}' of event type '{handler.EventType}': its retry delays must not shrink: RetryMaxDelay ({maxDelay}) is below RetryBaseDelay ({baseDelay}) " +
                    "(one of them set by EventHandlerOptions, the other from EventKitOptions); set both on the handler.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string option, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"EventKitOptions.{option} must be between {min:N0} and {max:N0}; it was {value:N0}.");
        }
    }

    private static void Range(List<string> failures, string option, TimeSpan value, TimeSpan min, TimeSpan max, string? alternative = null)
    {
        if (value < min || value > max)
        {
            var or = alternative is null ? string.Empty : $" ({alternative})";
            failures.Add($"EventKitOptions.{option} must be between {min} and {max}{or}; it was {value}.");
        }
    }
}
