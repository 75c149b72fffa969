namespace EventKit.Testing.Internal;

/// <summary>What the harness saw: events appended to the store and handler runs, in order. Thread-safe.</summary>
internal sealed class HarnessRecorder : IHandlerRunObserver
{
    private readonly Lock _gate = new();
    private readonly List<EventRecord> _published = [];
    private readonly List<HandlerRun> _runs = [];

    public void OnAppended(EventRecord record)
    {
        lock (_gate)
        {
            _published.Add(record);
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
