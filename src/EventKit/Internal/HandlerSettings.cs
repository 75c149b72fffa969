namespace EventKit.Internal;

/// <summary>What <see cref="EventHandlerOptions"/> set for one handler, checked and frozen at registration.</summary>
internal sealed record HandlerSettings(TimeSpan? Timeout, int? MaxAttempts, TimeSpan? RetryBaseDelay, TimeSpan? RetryMaxDelay, int? MaxConcurrency)
{
    public static HandlerSettings Defaults { get; } = new(null, null, null, null, null);

    /// <summary>Checks <paramref name="options"/> (the ranges of what it sets) and freezes it; throws naming the option.</summary>
    public static HandlerSettings From(EventHandlerOptions options, Type handlerType, string paramName)
    {
        var failures = new List<string>();
        if (options.Name is { } name)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Length > EventValidation.MaxHandlerNameLength || !EventValidation.IsStorableText(name))
            {
                failures.Add($"EventHandlerOptions.Name must be non-blank, at most {EventValidation.MaxHandlerNameLength} characters, without NUL characters or unpaired surrogates; it was '{EventValidation.Shorten(name)}'.");
            }
            else if (name == EventLogEntry.AllHandlers)
            {
                failures.Add($"EventHandlerOptions.Name cannot be '{EventLogEntry.AllHandlers}': the event log's operator entries use it for every handler of an event.");
            }
        }

        if (options.Timeout is { } timeout && timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            Range(failures, nameof(options.Timeout), timeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1), "or Timeout.InfiniteTimeSpan");
        }

        if (options.MaxAttempts is { } attempts && (attempts < 1 || attempts > 100))
        {
            failures.Add($"EventHandlerOptions.MaxAttempts must be between 1 and 100; it was {attempts}.");
        }

        if (options.RetryBaseDelay is { } baseDelay)
        {
            Range(failures, nameof(options.RetryBaseDelay), baseDelay, TimeSpan.Zero, TimeSpan.FromDays(1));
        }

        if (options.RetryMaxDelay is { } maxDelay)
        {
            Range(failures, nameof(options.RetryMaxDelay), maxDelay, TimeSpan.Zero, TimeSpan.FromDays(7));
        }

        if (options is { RetryBaseDelay: { } b, RetryMaxDelay: { } m } && m < b)
        {
            failures.Add($"EventHandlerOptions.RetryMaxDelay must be at least RetryBaseDelay ({b}); it was {m}.");
        }

        if (options.MaxConcurrency is { } concurrency && (concurrency < 1 || concurrency > 1_000))
        {
            failures.Add($"EventHandlerOptions.MaxConcurrency must be between 1 and 1,000; it was {concurrency}.");
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException($"Invalid options for handler '{handlerType.FullName}': {string.Join(" ", failures)}", paramName);
        }

        return new HandlerSettings(options.Timeout, options.MaxAttempts, options.RetryBaseDelay, options.RetryMaxDelay, options.MaxConcurrency);
    }

    public TimeSpan EffectiveTimeout(EventKitOptions options) => Timeout ?? options.HandlerTimeout;

    public int EffectiveMaxAttempts(EventKitOptions options) => MaxAttempts ?? options.MaxAttempts;

    public TimeSpan EffectiveRetryBaseDelay(EventKitOptions options) => RetryBaseDelay ?? options.RetryBaseDelay;

    public TimeSpan EffectiveRetryMaxDelay(EventKitOptions options) => RetryMaxDelay ?? options.RetryMaxDelay;

    private static void Range(List<string> failures, string option, TimeSpan value, TimeSpan min, TimeSpan max, string? alternative = null)
    {
        if (value < min || value > max)
        {
            var or = alternative is null ? string.Empty : $" ({alternative})";
            failures.Add($"EventHandlerOptions.{option} must be between {min} and {max}{or}; it was {value}.");
        }
    }
}
