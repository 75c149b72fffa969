using Microsoft.Extensions.Logging;

namespace EventKit.EntityFramework.Tests;

/// <summary>One entry kept by <see cref="RecordingLoggerProvider"/>.</summary>
public sealed record LogRecord(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);
