namespace EventKit.Internal.Processing;

/// <summary>Why a handler run's token was cancelled.</summary>
internal enum CancelReason
{
    None,

    /// <summary>The run outlived its handler timeout.</summary>
    Timeout,

    /// <summary>A renewal found the event's lease held by someone else.</summary>
    LeaseLost,

    /// <summary>The host is stopping and the shutdown grace period has ended.</summary>
    Abort,
}
