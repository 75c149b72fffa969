namespace EventKit.Internal.Processing;

/// <summary>
/// Runs the handlers of one leased event that have not yet succeeded for it, one after another, and decides its
/// outcome: completed, failed with a retry time, dead-lettered, or released. Whatever one event does ends here as
/// that event's outcome.
/// </summary>
internal sealed class EventRunner(EventProcessor processor, HandlerInvoker invoker, ProcessorRun run)
{
    private readonly EventKitOptions _options = processor.Options;

    /// <summary>Runs the event's pending handlers; returns its outcome, or <see langword="null"/> when it was parked.</summary>
    public async ValueTask<EventOutcome?> RunAsync(LeasedEvent leased, RunSlot slot, PayloadCache payloads)
    {
        var record = leased.Event;
        try
        {
            var handlers = processor.Registry.GetHandlers(record.Type);
            if (handlers.Count == 0)
            {
                Log.NoHandler(processor.Logger, record.Id, record.Type);
                return _options.DeadLetterUnhandledEvents
                    ? DeadLetter(record, $"No handler is registered for event type '{record.Type}' and EventKitOptions.DeadLetterUnhandledEvents is true.", [])
                    : Outcome(record, EventStatus.Completed, null, []);
            }

            var maxAttempts = MostAttempts(handlers);
            if (Counted(record) > maxAttempts)
            {
                return DeadLetter(
                    record,
                    $"Attempt {Counted(record)} exceeds MaxAttempts ({maxAttempts}): earlier attempts ended without an outcome (the processor holding the lease stopped or crashed).",
                    []);
            }

            payloads.Reset(record.Payload);
            return await RunHandlersAsync(leased, handlers, slot, payloads).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Only a defect in EventKit itself gets here; the event still ends alone, as a retryable failure.
            Log.EventFailed(processor.Logger, record.Id, record.Type, ex);
            return Retry(record, null, ErrorText.Sanitize(Describe.Full(ex)), []);
        }
        finally
        {
            payloads.Clear();
        }
    }

    private async ValueTask<EventOutcome?> RunHandlersAsync(LeasedEvent leased, IReadOnlyList<HandlerDescriptor> handlers, RunSlot slot, PayloadCache payloads)
    {
        var record = leased.Event;
        var succeeded = leased.Claimed.SucceededHandlers;

        // A resumed event (it was parked at a handler's concurrency limit) goes on where it stopped.
        var progress = leased.Progress;
        leased.Progress = null;
        var held = progress?.HeldSlot;
        var first = progress?.Next ?? 0;
        var logs = progress?.Logs ?? NewLog(handlers, succeeded);
        var ran = progress?.Ran ?? 0;
        var lastError = progress?.LastError;
        var worst = progress?.Worst ?? FailureKind.None;
        var failed = progress?.Failed;
        try
        {
            for (var index = first; index < handlers.Count; index++)
            {
                var handler = handlers[index];
                if (succeeded.Count > 0 && succeeded.Contains(handler.Name))
                {
                    continue;
                }

                if (leased.LeaseLost)
                {
                    worst = Worse(worst, FailureKind.LeaseLost);
                    break;
                }

                var limiter = run.LimiterFor(handler);
                if (limiter is not null && !ReferenceEquals(held, limiter) && !limiter.TryEnter())
                {
                    // At its limit: park the event here instead of holding the worker; it resumes with the next free slot.
                    leased.Progress = new RunProgress(index, logs, ran, worst, lastError, failed);
                    run.Park(leased);
                    if (!limiter.EnterOrPark(leased))
                    {
                        return null;
                    }

                    run.Unpark(leased, slot);
                    leased.Progress = null;
                }

                if (ReferenceEquals(held, limiter))
                {
                    held = null;
                }

                HandlerRunResult result;
                try
                {
                    result = await invoker.InvokeAsync(handler, record, slot, payloads).ConfigureAwait(false);
                }
                finally
                {
                    if (limiter is not null)
                    {
                        run.ExitLimiter(limiter);
                    }
                }

                logs[ran++] = result.Entry;
                if (result.Error is not null)
                {
                    worst = Worse(worst, result.Kind);
                    lastError = result.Entry.Error;
                    (failed ??= []).Add(handler);
                    if (result.Kind is FailureKind.Interrupted or FailureKind.LeaseLost)
                    {
                        // The host is stopping or the event is someone else's now: start no more of its handlers.
                        break;
                    }
                }
            }
        }
        finally
        {
            if (held is not null)
            {
                // A slot handed to this event that it did not use (its lease was lost, say) goes to the next in line.
                run.ExitLimiter(held);
            }
        }

        IReadOnlyList<EventLogEntry> entries = ran == logs.Length ? logs : logs[..ran];
        return worst switch
        {
            FailureKind.None => Outcome(record, EventStatus.Completed, null, entries),
            FailureKind.Permanent => DeadLetter(record, lastError, entries),
            FailureKind.Interrupted => Outcome(record, EventStatus.Pending, lastError, entries),
            _ => Retry(record, failed, lastError, entries),
        };
    }

    /// <summary>One entry per pending handler run; usually every pending handler runs, so the array is exactly filled.</summary>
    private static EventLogEntry[] NewLog(IReadOnlyList<HandlerDescriptor> handlers, IReadOnlyCollection<string> succeeded)
    {
        var pending = handlers.Count;
        if (succeeded.Count > 0)
        {
            foreach (var handler in handlers)
            {
                pending -= succeeded.Contains(handler.Name) ? 1 : 0;
            }
        }

        return pending == 0 ? [] : new EventLogEntry[pending];
    }

    /// <summary>Permanent failures win over interruptions (a dead letter needs no retry), which win over the rest.</summary>
    private static FailureKind Worse(FailureKind current, FailureKind next) => Rank(next) > Rank(current) ? next : current;

    private static int Rank(FailureKind kind) => kind switch
    {
        FailureKind.Permanent => 4,
        FailureKind.Interrupted => 3,
        FailureKind.LeaseLost => 2,
        FailureKind.Retryable => 1,
        _ => 0,
    };

    /// <summary>
    /// After a failed attempt: dead-lettered when a handler that failed has used its attempts, otherwise retried once
    /// every failed handler's backoff has passed (the latest of them, so each waits at least its own).
    /// </summary>
    private EventOutcome Retry(EventRecord record, List<HandlerDescriptor>? failed, string? error, IReadOnlyList<EventLogEntry> logs)
    {
        var now = processor.Time.GetUtcNow();
        var attempt = Counted(record);
        DateTimeOffset? retryAt = null;
        if (failed is null)
        {
            retryAt = processor.Retry.NextAttemptAt(attempt, _options.MaxAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay, now);
        }
        else
        {
            foreach (var handler in failed)
            {
                var settings = handler.Settings;
                var maxAttempts = settings.EffectiveMaxAttempts(_options);
                if (processor.Retry.NextAttemptAt(attempt, maxAttempts, settings.EffectiveRetryBaseDelay(_options), settings.EffectiveRetryMaxDelay(_options), now) is not { } at)
                {
                    var limit = settings.MaxAttempts is null ? "MaxAttempts" : $"MaxAttempts {maxAttempts} of handler '{handler.Name}'";
                    return DeadLetter(record, ErrorText.Sanitize($"Failed after {attempt} attempts ({limit}). Last error: {error}"), logs);
                }

                retryAt = retryAt is { } later && later > at ? later : at;
            }
        }

        if (retryAt is not { } next)
        {
            return DeadLetter(record, ErrorText.Sanitize($"Failed after {attempt} attempts (MaxAttempts). Last error: {error}"), logs);
        }

        Log.RetryScheduled(processor.Logger, record.Id, record.Type, record.Attempts, next);
        return new EventOutcome { EventId = record.Id, Status = EventStatus.Failed, AvailableAt = next, Error = error, Logs = logs };
    }

    /// <summary>
    /// The attempts that count toward MaxAttempts: not those interrupted at a shutdown, nor those before an operator's
    /// requeue or replay (which gives the event a fresh budget while its attempt numbers go on).
    /// </summary>
    private static int Counted(EventRecord record) => record.Attempts - record.UncountedAttempts;

    /// <summary>The most attempts any of <paramref name="handlers"/> allows: an event that used more died with its processors.</summary>
    private int MostAttempts(IReadOnlyList<HandlerDescriptor> handlers)
    {
        var most = 0;
        foreach (var handler in handlers)
        {
            most = Math.Max(most, handler.Settings.EffectiveMaxAttempts(_options));
        }

        return most;
    }

    private EventOutcome DeadLetter(EventRecord record, string? reason, IReadOnlyList<EventLogEntry> logs)
    {
        Log.DeadLettered(processor.Logger, record.Id, record.Type, record.Attempts);
        return Outcome(record, EventStatus.DeadLetter, ErrorText.Sanitize(reason), logs);
    }

    private EventOutcome Outcome(EventRecord record, EventStatus status, string? error, IReadOnlyList<EventLogEntry> logs)
    {
        var now = processor.Time.GetUtcNow();
        return new EventOutcome
        {
            EventId = record.Id,
            Status = status,
            ProcessedAt = status is EventStatus.Completed or EventStatus.DeadLetter ? now : null,
            AvailableAt = status == EventStatus.Pending ? now : null,
            Error = error,
            Logs = logs,
        };
    }
}
