namespace EventKit.Storage;

/// <summary>
/// The events published in one DI scope that a transactional store has taken into a unit of work not saved yet
/// (registered scoped by such a store). The processor asks it when a handler returns successfully, so a handler
/// that published through its <c>DbContext</c> and never saved is named in a warning instead of losing the event
/// silently; the store warns on its own for any other scope (a web request that forgot <c>SaveChanges</c>).
/// </summary>
/// <remarks>A transactional store registers it scoped (<c>TryAddScoped</c>) and calls <see cref="Track"/> when it first takes an event into a unit of work.</remarks>
public sealed class UnsavedPublications
{
    private List<IUnsavedEventSource>? _sources;

    /// <summary>Whether the unsaved events were already reported (by the processor), so the store does not warn again.</summary>
    public bool Reported { get; private set; }

    /// <summary>The handler failed: its unit of work is discarded on purpose, nothing to warn about.</summary>
    internal void Dismiss() => Reported = true;

    /// <summary>Makes <paramref name="source"/>'s unsaved events known to the processor; tracking one source twice changes nothing.</summary>
    /// <param name="source">The store.</param>
    public void Track(IUnsavedEventSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _sources ??= [];
        if (!_sources.Contains(source))
        {
            _sources.Add(source);
        }
    }

    /// <summary>Returns the types of the events still unsaved, or <see langword="null"/>; they count as reported.</summary>
    internal List<string>? TakeUnsaved()
    {
        if (_sources is null)
        {
            return null;
        }

        var types = new List<string>();
        foreach (var source in _sources)
        {
            source.CollectUnsaved(types);
        }

        if (types.Count == 0)
        {
            return null;
        }

        Reported = true;
        return types;
    }
}
