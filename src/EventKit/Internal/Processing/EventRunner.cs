namespace EventKit.Internal.Processing;

/// <summary>
/// Runs the handlers of one leased event that have not yet succeeded for it, one after another, and decides its
/// outcome: completed, failed with a retry time, dead-lettered, or released. Whatever one event does ends here as
/// that event's outcome.
/// </summary>
internal sealed class EventRunner(EventProcessor processor, HandlerInvoker invoker)
{
    private readonly EventKitOptions _options = processor.Options;

    public async ValueTask<EventOutcome> RunAsync(LeasedEvent leased, RunSlot slot, PayloadCache payloads)
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

            if (record.Attempts > _options.MaxAttempts)
            {
                return DeadLetter(
                    record,
                    $"Attempt {record.Attempts} exceeds MaxAttempts ({_options.MaxAttempts}): earlier attempts ended without an outcome (the processor holding the lease stopped or crashed).",
                    []);
            }

            payloads.Reset(record.Payload);
            return await RunHandlersAsync(leased, handlers, slot, payloads).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Only a defect in EventKit itself gets here; the event still ends alone, as a retryable failure.
            Log.EventFailed(processor.Logger, record.Id, record.Type, ex);
            return Retry(record, ErrorText.Sanitize(Describe.Full(ex)), []);
        }
        finally
        {
            payloads.Clear();
        }
    }

    private async ValueTask<EventOutcome> RunHandlersAsync(LeasedEvent leased, IReadOnlyList<HandlerDescriptor> handlers, RunSlot slot, PayloadCache payloads)
    {
        var record = leased.Event;
        var succeeded = leased.Claimed.SucceededHandlers;
        var pending = handlers.Count;
        if (succeeded.Count > 0)
        {
            foreach (var handler in handlers)
            {
                pending -= succeeded.Contains(handler.Name) ? 1 : 0;
            }
        }

        // One entry per handler run; usually every pending handler runs, so the array is exactly filled.
        var logs = pending == 0 ? [] : new EventLogEntry[pending];
        var ran = 0;
        string? lastError = null;
        var worst = FailureKind.None;
        foreach (var handler in handlers)
        {
            if (succeeded.Count > 0 && succeeded.Contains(handler.Name))
            {
                continue;
            }

            if (leased.LeaseLost)
            {
                worst = Worse(worst, FailureKind.LeaseLost);
                break;
            }

            var result = await invoker.InvokeAsync(handler, record, slot, payloads).ConfigureAwait(false);
            logs[ran++] = result.Entry;
            if (result.Error is not null)
            {
                worst = Worse(worst, result.Kind);
                lastError = result.Entry.Error;
                if (result.Kind is FailureKind.Interrupted or FailureKind.LeaseLost)
                {
                    // The host is stopping or the event is someone else's now: start no more of its handlers.
                    break;
                }
            }
        }

        IReadOnlyList<EventLogEntry> entries = ran == logs.Length ? logs : logs[..ran];
        return worst switch
        {
            FailureKind.None => Outcome(record, EventStatus.Completed, null, entries),
            FailureKind.Permanent => DeadLetter(record, lastError, entries),
            FailureKind.Interrupted => Outcome(record, EventStatus.Pending, lastError, entries),
            _ => Retry(record, lastError, entries),
        };
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

    private EventOutcome Retry(EventRecord record, string? error, IReadOnlyList<EventLogEntry> logs)
    {
        var now = processor.Time.GetUtcNow();
        var retryAt = processor.Retry.NextAttemptAt(record.Attempts, _options.MaxAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay, now);
        if (retryAt is not { } at)
        {
            return DeadLetter(record, ErrorText.Sanitize($"Failed after {record.Attempts} attempts (MaxAttempts). Last error: {error}"), logs);
        }

        Log.RetryScheduled(processor.Logger, record.Id, record.Type, record.Attempts, at);
        return new EventOutcome { EventId = record.Id, Status = EventStatus.Failed, AvailableAt = at, Error = error, Logs = logs };
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
