using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Internal.Processing;

/// <summary>
/// Runs one handler for one event in a DI scope of its own, with a cooperative timeout, and turns whatever happens
/// — a payload that cannot be deserialized, a handler that cannot be resolved or throws, a scope whose disposal
/// throws, telemetry that fails — into that run's result. Nothing escapes to the worker.
/// </summary>
internal sealed class HandlerInvoker(EventProcessor processor, TimeoutWatchdog watchdog)
{
    public async ValueTask<HandlerRunResult> InvokeAsync(HandlerDescriptor handler, EventRecord record, RunSlot slot, PayloadCache payloads)
    {
        var time = processor.Time;
        var started = time.GetTimestamp();
        Activity? activity = null;
        Exception? error = null;
        var kind = FailureKind.None;
        try
        {
            activity = EventKitTelemetry.StartProcess(record, handler.Name);

            // The timeout covers the run from here, the payload's deserialization included: a custom converter that
            // hangs holds the worker and the lease as a hanging handler does, so it is timed and warned about (1018)
            // the same way. The converter cannot see the token; the handler then gets it already cancelled.
            var (deadline, warnAt) = watchdog.Limits(started, handler.Settings.EffectiveTimeout(processor.Options));
            var (_, token) = slot.Begin(handler.Name, record.Id, started, deadline, warnAt);
            watchdog.Watch(deadline);
            object payload;
            try
            {
                payload = payloads.Get(handler, processor.Options.SerializerOptions);
            }
            catch (Exception ex)
            {
                slot.End();

                // Deserialization depends only on the payload and the code: it would fail the same way every time.
                error = new EventPayloadException($"The payload cannot be deserialized to '{handler.PayloadType.FullName}': {Describe.Message(ex)}", ex);
                kind = FailureKind.Permanent;
                return Complete(handler, record, started, activity, error, kind);
            }

            (error, kind) = await RunInScopeAsync(handler, record, payload, slot, token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Starting the span or creating the scope failed: still this run's failure, and only this run's. The run
            // ends here if it had begun (ending it again is harmless).
            slot.End();
            error ??= ex;
            kind = FailureKind.Retryable;
        }

        return Complete(handler, record, started, activity, error, kind);
    }

    /// <summary>Runs the handler in the run <paramref name="slot"/> has begun, and ends that run when the handler returns.</summary>
    private async ValueTask<(Exception? Error, FailureKind Kind)> RunInScopeAsync(HandlerDescriptor handler, EventRecord record, object payload, RunSlot slot, CancellationToken token)
    {
        Exception? error = null;
        var kind = FailureKind.None;
        var scope = processor.Scopes.CreateAsyncScope();
        try
        {
            CancelReason reason;
            try
            {
                await handler.InvokeAsync(scope.ServiceProvider, record, payload, token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                error = ex;
            }
            finally
            {
                reason = slot.End();
            }

            (error, kind) = Classify(handler, error, reason);
            ReportUnsaved(scope.ServiceProvider, handler, record, succeeded: error is null);
        }
        finally
        {
            // The scope outlives the handler: it is disposed only once the handler has returned.
            try
            {
                await scope.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (error is null)
            {
                error = new InvalidOperationException($"Handler '{handler.Name}' ran, but disposing its DI scope failed: {Describe.Message(ex)}", ex);
                kind = FailureKind.Retryable;
            }
            catch (Exception ex)
            {
                Log.ScopeDisposalFailed(processor.Logger, handler.Name, record.Id, ex);
            }
        }

        return (error, kind);
    }

    /// <summary>Warns about events the handler published into a unit of work it never saved (they would be lost silently).</summary>
    private void ReportUnsaved(IServiceProvider services, HandlerDescriptor handler, EventRecord record, bool succeeded)
    {
        try
        {
            var unsaved = services.GetService<UnsavedPublications>();
            if (!succeeded)
            {
                // A failed run's unit of work is discarded on purpose.
                unsaved?.Dismiss();
            }
            else if (unsaved?.TakeUnsaved() is { } types)
            {
                Log.HandlerLeftEventsUnsaved(processor.Logger, handler.Name, record.Id, types.Count, string.Join(", ", types.Distinct(StringComparer.Ordinal)));
            }
        }
        catch (Exception ex)
        {
            // A report, never a reason to fail a run that succeeded.
            Log.TelemetryFailed(processor.Logger, handler.Name, record.Id, ex);
        }
    }

    private (Exception? Error, FailureKind Kind) Classify(HandlerDescriptor handler, Exception? error, CancelReason reason)
    {
        if (error is null)
        {
            // A handler that finished despite a cancellation request did its work (as Polly's timeout treats it).
            return (null, FailureKind.None);
        }

        // Whatever a cancelled handler throws (OperationCanceledException, or its own wrapper of one) is recorded as
        // the reason it was cancelled for, with the handler's exception inside.
        return reason switch
        {
            CancelReason.Abort => (new OperationCanceledException($"Handler '{handler.Name}' was cancelled because processing stopped: the host stopped and EventKitOptions.ShutdownTimeout ({processor.Options.ShutdownTimeout}) elapsed, or a drain was cancelled.", error), FailureKind.Interrupted),
            CancelReason.Timeout => (new TimeoutException(TimeoutMessage(handler), error), FailureKind.Retryable),
            CancelReason.LeaseLost => (new OperationCanceledException($"Handler '{handler.Name}' was cancelled because this processor lost the event's lease (it expired and was claimed elsewhere, or the event was changed).", error), FailureKind.LeaseLost),
            _ => (error, IsNonRetryable(error) ? FailureKind.Permanent : FailureKind.Retryable),
        };
    }

    /// <summary>
    /// A <see cref="NonRetryableEventException"/>, also inside an <see cref="AggregateException"/> (a handler that waited
    /// on a task with <c>.Wait()</c>/<c>.Result</c>, or on <see cref="Task.WhenAll(Task[])"/>): one such inner exception is
    /// enough, as one handler's among several dead-letters the event, since its part fails the same way on every retry
    /// and so the event can never succeed. Other wrappers are the handler's own choice and are not looked into.
    /// </summary>
    private static bool IsNonRetryable(Exception error)
    {
        if (error is AggregateException aggregate)
        {
            foreach (var inner in aggregate.Flatten().InnerExceptions)
            {
                if (inner is NonRetryableEventException)
                {
                    return true;
                }
            }

            return false;
        }

        return error is NonRetryableEventException;
    }

    private string TimeoutMessage(HandlerDescriptor handler) => handler.Settings.Timeout is { } own
        ? $"Handler '{handler.Name}' did not finish within its EventHandlerOptions.Timeout ({own})."
        : $"Handler '{handler.Name}' did not finish within EventKitOptions.HandlerTimeout ({processor.Options.HandlerTimeout}).";

    private HandlerRunResult Complete(HandlerDescriptor handler, EventRecord record, long started, Activity? activity, Exception? error, FailureKind kind)
    {
        var time = processor.Time;
        var now = time.GetUtcNow();
        var duration = time.GetElapsedTime(started);
        var entry = new EventLogEntry
        {
            Id = SequentialGuid.Next(now),
            EventId = record.Id,
            Handler = handler.Name,
            Actor = record.Actor,
            // A run cut short because the host stopped is not the handler's failure: the event is released with it.
            Result = error is null ? EventLogResult.Success : kind == FailureKind.Interrupted ? EventLogResult.Interrupted : EventLogResult.Failure,
            Error = error is null ? null : ErrorText.Sanitize(Describe.Full(error)),
            Attempt = record.Attempts,
            Duration = duration,
            CreatedAt = now,
        };

        // Logs, telemetry and observers are reported to, never allowed to fail the run; each on its own, so one that
        // throws (a logger that writes an exception whose ToString throws) costs no other its report: the run is still
        // counted and its span still ends.
        try
        {
            if (error is EventPayloadException payloadError)
            {
                Log.PayloadInvalid(processor.Logger, handler.Name, record.Id, record.Type, payloadError.InnerException!);
            }
            else if (kind is FailureKind.Retryable or FailureKind.Permanent)
            {
                Log.HandlerFailed(processor.Logger, handler.Name, record.Id, record.Type, record.Attempts, error!);
            }
        }
        catch (Exception ex)
        {
            Log.TelemetryFailed(processor.Logger, handler.Name, record.Id, ex);
        }

        try
        {
            if (error is not null)
            {
                EventKitTelemetry.SetError(activity, error);
            }
        }
        catch (Exception ex)
        {
            Log.TelemetryFailed(processor.Logger, handler.Name, record.Id, ex);
        }
        finally
        {
            activity?.Dispose();
        }

        try
        {
            processor.Telemetry.HandlerRan(record.Type, handler.Name, entry.Result, duration);
        }
        catch (Exception ex)
        {
            Log.TelemetryFailed(processor.Logger, handler.Name, record.Id, ex);
        }

        foreach (var observer in processor.RunObservers)
        {
            try
            {
                observer.OnHandlerRun(record, entry, error);
            }
            catch (Exception ex)
            {
                Log.TelemetryFailed(processor.Logger, handler.Name, record.Id, ex);
            }
        }

        return new HandlerRunResult(entry, error, kind);
    }
}
