using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventKit.Dashboard.Tests.Endpoints;

/// <summary>Keeps every log message, for assertions on the dashboard's audit entries.</summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(string Category, EventId Id, string Message)> Entries { get; } = new();

    public IEnumerable<string> Messages(int eventId) => Entries.Where(e => e.Id.Id == eventId).Select(e => e.Message);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue((category, eventId, formatter(state, exception)));
    }
}
