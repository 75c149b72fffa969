namespace EventKit;

/// <summary>The number of events of one type published in a time range.</summary>
public sealed class EventTypeCount
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="type">The event type name.</param>
    /// <param name="count">The number of events.</param>
    public EventTypeCount(string type, long count)
    {
        Type = type;
        Count = count;
    }

    /// <summary>Gets the event type name.</summary>
    public string Type { get; }

    /// <summary>Gets the number of events.</summary>
    public long Count { get; }
}
