using System.Threading.Channels;
using EventKit.EntityFramework.Internal.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.EntityFramework.Tests;

/// <summary>What an app's notification listener reports (listening, notified, down), in order, to wait on.</summary>
public sealed class ListenerEvents
{
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>();

    private ListenerEvents()
    {
    }

    /// <summary>Observes the listener of <paramref name="services"/>' EventKit (before its processor starts).</summary>
    public static ListenerEvents Observe<TContext>(IServiceProvider services)
        where TContext : Microsoft.EntityFrameworkCore.DbContext
    {
        var events = new ListenerEvents();
        services.GetServices<IEventStoreWatcher>().OfType<NotificationListener<TContext>>().Single().Observer = e => events._events.Writer.TryWrite(e);
        return events;
    }

    /// <summary>Waits for the next report and returns it.</summary>
    public async Task<string> NextAsync() => await _events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Skips reports until <paramref name="expected"/>.</summary>
    public async Task WaitForAsync(string expected)
    {
        while (await NextAsync() != expected)
        {
        }
    }

    /// <summary>Whether a report is waiting (none arrived if false).</summary>
    public bool TryTake(out string? report) => _events.Reader.TryRead(out report);
}
