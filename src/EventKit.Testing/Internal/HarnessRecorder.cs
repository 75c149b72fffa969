namespace EventKit.Testing.Internal;

/// <summary>What the harness saw: events appended to the store and handler runs, in order. Thread-safe.</summary>
internal sealed class HarnessRecorder : IHandlerRunObserver
{
    private readonly Lock _gate = new();
    private readonly List<EventRecord> _published = [];
    private readonly List<HandlerRun> _runs = [];
    private readonly HashSet<Guid> _byTest = [];

    /// <summary>Set in the async flow of the test's own publishing (<c>RunInScopeAsync</c>, the harness's <c>PublishAsync</c>), not in handler runs.</summary>
    private readonly AsyncLocal<bool> _testFlow = new();

    /// <summary>Marks the current async flow (until the calling async method returns) as the test's own publishing.</summary>
    public void InTestFlow() => _testFlow.Value = true;

    public void OnAppended(EventRecord record)
    {
        lock (_gate)
        {
            _published.Add(record);
            if (_testFlow.Value)
            {
                _byTest.Add(record.Id);
            }
        }
    }

    /// <summary>Whether the test published <paramref name="eventId"/> itself (not a handler, whose failed run may discard its publications).</summary>
    public bool PublishedByTest(Guid eventId)
    {
        lock (_gate)
        {
            return _byTest.Contains(eventId);
        }
    }

    public void OnHandlerRun(EventRecord record, EventLogEntry entry, Exception? exception)
    {
        lock (_gate)
        {
            _runs.Add(new HandlerRun(record, entry, exception));
        }
    }

    public IReadOnlyList<EventRecord> Published
    {
        get
        {
            lock (_gate)
            {
                return [.. _published];
            }
        }
    }

    public IReadOnlyList<HandlerRun> Runs
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs];
            }
        }
    }
}
