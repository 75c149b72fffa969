namespace EventKit.Testing;

/// <summary>One handler execution observed by the <see cref="EventKitHarness"/>.</summary>
public sealed class HandlerRun
{
    internal HandlerRun(EventRecord record, EventLogEntry entry, Exception? exception)
    {
        EventId = record.Id;
        EventType = record.Type;
        Handler = entry.Handler;
        Attempt = entry.Attempt;
        Succeeded = entry.Result == EventLogResult.Success;
        Exception = exception;
        Error = entry.Error;
        Duration = entry.Duration;
        FinishedAt = entry.CreatedAt;
    }

    /// <summary>Gets the event id.</summary>
    public Guid EventId { get; }

    /// <summary>Gets the event type name.</summary>
    public string EventType { get; }

    /// <summary>Gets the handler name (its class name).</summary>
    public string Handler { get; }

    /// <summary>Gets the attempt number, from 1.</summary>
    public int Attempt { get; }

    /// <summary>Gets whether the handler succeeded.</summary>
    public bool Succeeded { get; }

    /// <summary>Gets the exception a failed run threw (a timeout appears as <see cref="TimeoutException"/>), or <see langword="null"/>.</summary>
    public Exception? Exception { get; }

    /// <summary>Gets the error text stored in the event log, or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>Gets how long the run took on the harness clock.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Gets the harness time the run finished.</summary>
    public DateTimeOffset FinishedAt { get; }

    /// <summary>Returns a one-line description, e.g. <c>WelcomeEmailHandler for user.created 0190… attempt 2: failed (InvalidOperationException: boom)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"{Handler} for {EventType} {EventId} attempt {Attempt}: " +
        (Succeeded ? "succeeded" : $"failed ({(Exception is null ? Error : $"{Exception.GetType().Name}: {MessageOf(Exception)}")})");

    /// <summary>A handler's exception may throw from its own Message: the harness's report must still be written.</summary>
    private static string MessageOf(Exception exception)
    {
        try
        {
            return exception.Message;
        }
        catch (Exception ex)
        {
            return $"(its message could not be read: {ex.GetType().Name})";
        }
    }
}
