using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>Keeps every line a relay logs, with its exception, so tests can read what an operator would see.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(new LogLine(DateTimeOffset.UtcNow, category, logLevel, eventId.Name, formatter(state, exception), exception?.ToString()));
    }
}

/// <summary>One logged line: the message as formatted and, when there was one, the exception with its stack trace.</summary>
internal sealed record LogLine(DateTimeOffset Time, string Category, LogLevel Level, string? EventName, string Message, string? Exception)
{
    public string Text => Exception is null ? Message : $"{Message}\n{Exception}";

    public override string ToString() => $"{Level} {Category}[{EventName}]: {(Text.Length > 500 ? Text[..500] + "…" : Text)}";
}
