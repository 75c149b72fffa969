using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EventKit.ContractTests;

/// <summary>A logger provider that keeps every entry, for tests that assert what EventKit logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public IReadOnlyList<Entry> WithId(int eventId) => [.. Entries.Where(e => e.EventId.Id == eventId)];

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
