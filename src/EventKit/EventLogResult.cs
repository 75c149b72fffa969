namespace EventKit;

/// <summary>The result of one handler execution, persisted as <c>success</c> or <c>failure</c>.</summary>
public enum EventLogResult
{
    /// <summary>The handler completed without throwing.</summary>
    Success = 0,

    /// <summary>The handler threw, timed out, was interrupted, or its payload could not be deserialized.</summary>
    Failure = 1,
}
