namespace EventKit.Testing;

/// <summary>
/// Thrown by <see cref="EventKitHarness"/> when a test waits for something that does not happen, with the
/// events concerned, their status and every failed handler run in the message.
/// </summary>
public sealed class EventKitHarnessException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public EventKitHarnessException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What did not happen, and why.</param>
    public EventKitHarnessException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the underlying error.</summary>
    /// <param name="message">What did not happen, and why.</param>
    /// <param name="innerException">The underlying error.</param>
    public EventKitHarnessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
