using EventKit.EntityFramework.Internal.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventKit.EntityFramework.Internal.Publishing;

/// <summary>The application's services a context's outbox uses, resolved once per context instance.</summary>
internal sealed partial class ContextOutbox
{
    public sealed class Services(IServiceProvider provider)
    {
        public EventSignal Signal { get; } = provider.GetRequiredService<EventSignal>();

        public ILogger Logger { get; } = provider.GetService<ILoggerFactory>()?.CreateLogger(Log.Category) ?? NullLogger.Instance;

        public EventHandOff HandOff { get; } = provider.GetRequiredService<EventHandOff>();

        private readonly bool _notify = provider.GetService<IOptions<EntityFrameworkStoreOptions>>()?.Value.UseNotifications ?? true;

        /// <summary>The most one statement of EventKit's INSERT sends (<see cref="StoreDialect.DefaultMaxStatementBytes"/>).</summary>
        public long MaxStatementBytes { get; } = provider.GetService<IOptions<EntityFrameworkStoreOptions>>()?.Value.MaxStatementBytes ?? StoreDialect.DefaultMaxStatementBytes;

        private readonly TimeProvider _time = provider.GetService<TimeProvider>() ?? TimeProvider.System;

        /// <summary>Sends the notifications of commits EF Core reports (null: an application that registered the store elsewhere).</summary>
        public CommitNotifier? Notifier { get; } = provider.GetService<CommitNotifier>();

        /// <summary>Whether an event available at <paramref name="earliest"/> (UTC) is due now, so other instances should be woken.</summary>
        public bool IsDue(DateTime earliest) => EventEntity.Utc(earliest) <= _time.GetUtcNow();

        /// <summary>
        /// Events written pending and due by this time wake the other instances' processors on commit
        /// (<see cref="EntityFrameworkStoreOptions.UseNotifications"/>); <see langword="null"/>: notifications are off.
        /// </summary>
        public DateTimeOffset? WakeDueBy() => _notify ? _time.GetUtcNow() : null;
    }
}
