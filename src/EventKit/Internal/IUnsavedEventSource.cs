namespace EventKit.Internal;

/// <summary>A store's view of the events it added to a unit of work that has not been saved.</summary>
internal interface IUnsavedEventSource
{
    /// <summary>Adds the type of every event added but not yet saved to <paramref name="eventTypes"/>.</summary>
    void CollectUnsaved(List<string> eventTypes);
}
