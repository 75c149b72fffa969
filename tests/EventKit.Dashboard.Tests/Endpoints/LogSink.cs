using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>Keeps every log message, for assertions on the dashboard's audit entries.</summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(string Category, EventId Id, string Message)> Entries { get; } = new();

    private readonly ConcurrentDictionary<int, TaskCompletionSource<string>> _first = new();

    public IEnumerable<string> Messages(int eventId) => Entries.Where(e => e.Id.Id == eventId).Select(e => e.Message);

    /// <summary>Completes with the first message of <paramref name="eventId"/>, logged before or after the call.</summary>
    public Task<string> FirstAsync(int eventId) => First(eventId).Task;

    private TaskCompletionSource<string> First(int eventId) =>
        _first.GetOrAdd(eventId, id => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            sink.Entries.Enqueue((category, eventId, message));
            sink.First(eventId.Id).TrySetResult(message);
        }
    }
}
