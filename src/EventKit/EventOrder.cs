namespace EventKit;

/// <summary>The order of a page of events: by creation time, then id.</summary>
public enum EventOrder
{
    /// <summary>Most recently created first.</summary>
    NewestFirst = 0,

    /// <summary>Earliest created first.</summary>
    OldestFirst = 1,
}
