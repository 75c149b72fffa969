namespace EventKit.Internal.Processing;

/// <summary>How a handler run failed, which decides what happens to its event.</summary>
internal enum FailureKind
{
    None,

    /// <summary>Retried with backoff until the attempts are used up.</summary>
    Retryable,

    /// <summary>Dead-lettered at once: <see cref="NonRetryableEventException"/>, or a payload that cannot be deserialized.</summary>
    Permanent,

    /// <summary>Cancelled because the host stopped: the event is released without counting the attempt.</summary>
    Interrupted,

    /// <summary>Cancelled because the lease was lost: the event is no longer this processor's to settle.</summary>
    LeaseLost,
}
