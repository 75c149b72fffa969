namespace EventKit.Storage;

/// <summary>A store's view of the events it added to a unit of work that has not been saved.</summary>
public interface IUnsavedEventSource
{
    /// <summary>Adds the type of every event added but not yet saved to <paramref name="eventTypes"/>.</summary>
    /// <param name="eventTypes">The collection to add to.</param>
    void CollectUnsaved(ICollection<string> eventTypes);
}
