namespace EventKit;

/// <summary>The width of one bucket of <see cref="IEventOperations.GetTimelineAsync"/>, aligned to UTC.</summary>
public enum EventTimelineInterval
{
    /// <summary>One minute.</summary>
    Minute = 0,

    /// <summary>One hour.</summary>
    Hour = 1,

    /// <summary>One UTC day.</summary>
    Day = 2,
}
