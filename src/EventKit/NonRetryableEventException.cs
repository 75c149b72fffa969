namespace EventKit;

/// <summary>
/// Thrown by a handler to say the event can never succeed (for example it refers to something that no longer
/// exists): the event goes to <see cref="EventStatus.DeadLetter"/> at once instead of being retried.
/// </summary>
/// <remarks>
/// It counts inside an <see cref="AggregateException"/> too (a handler that waited on a task that threw it): one such
/// inner exception among others dead-letters the event. Other exceptions that wrap it are retried.
/// </remarks>
public sealed class NonRetryableEventException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public NonRetryableEventException()
        : base("The event cannot be processed and must not be retried.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">Why the event cannot be processed.</param>
    public NonRetryableEventException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying error.</summary>
    /// <param name="message">Why the event cannot be processed.</param>
    /// <param name="innerException">The underlying error.</param>
    public NonRetryableEventException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
