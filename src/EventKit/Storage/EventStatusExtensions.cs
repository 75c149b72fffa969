namespace EventKit.Storage;

/// <summary>Converts <see cref="EventStatus"/> values to and from the words stores persist.</summary>
public static class EventStatusExtensions
{
    /// <summary>Returns the persisted word for <paramref name="status"/>: <c>pending</c>, <c>processing</c>, <c>completed</c>, <c>failed</c>, <c>dead_letter</c> or <c>cancelled</c>.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The lower-case word.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is not a defined value.</exception>
    public static string ToStorageString(this EventStatus status) => status switch
    {
        EventStatus.Pending => "pending",
        EventStatus.Processing => "processing",
        EventStatus.Completed => "completed",
        EventStatus.Failed => "failed",
        EventStatus.DeadLetter => "dead_letter",
        EventStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Allowed values: Pending, Processing, Completed, Failed, DeadLetter, Cancelled."),
    };

    /// <summary>Parses a persisted status word (see <see cref="ToStorageString"/>).</summary>
    /// <param name="value">The persisted word.</param>
    /// <returns>The status.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not one of the six words.</exception>
    public static EventStatus ParseStatus(string value) => value switch
    {
        "pending" => EventStatus.Pending,
        "processing" => EventStatus.Processing,
        "completed" => EventStatus.Completed,
        "failed" => EventStatus.Failed,
        "dead_letter" => EventStatus.DeadLetter,
        "cancelled" => EventStatus.Cancelled,
        _ => throw new ArgumentException($"'{value}' is not an event status. Allowed values: pending, processing, completed, failed, dead_letter, cancelled.", nameof(value)),
    };
}
