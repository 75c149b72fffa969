using Microsoft.Extensions.Options;

namespace EventKit.Internal;

internal sealed class EventKitHealthCheckOptionsValidator : IValidateOptions<EventKitHealthCheckOptions>
{
    public ValidateOptionsResult Validate(string? name, EventKitHealthCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxBacklogAge < TimeSpan.FromSeconds(1) || options.MaxBacklogAge > TimeSpan.FromDays(7))
        {
            failures.Add($"EventKitHealthCheckOptions.MaxBacklogAge must be between 00:00:01 and 7.00:00:00; it was {options.MaxBacklogAge}.");
        }

        // The processor reports progress at least every second: a shorter silence would flag a healthy processor.
        if (options.MaxProcessorSilence < TimeSpan.FromSeconds(5) || options.MaxProcessorSilence > TimeSpan.FromDays(1))
        {
            failures.Add($"EventKitHealthCheckOptions.MaxProcessorSilence must be between 00:00:05 and 1.00:00:00; it was {options.MaxProcessorSilence}.");
        }

        if (options.DeadLetterThreshold < 0)
        {
            failures.Add($"EventKitHealthCheckOptions.DeadLetterThreshold must be 0 or more; it was {options.DeadLetterThreshold}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
