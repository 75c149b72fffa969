using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventKit.EntityFramework.Internal.Notifications;

/// <summary>
/// Wakes a running processor when another instance commits events to <typeparamref name="TContext"/>'s PostgreSQL
/// events table: one dedicated connection runs <c>LISTEN</c> on the table's <see cref="NotificationChannel"/> and waits
/// for notifications, which the outbox sends with every commit that stores claimable events. When the connection fails
/// the processor polls as before; the listener reconnects with capped exponential backoff and, once listening again,
/// wakes the processor (events may have been committed meanwhile). Does nothing on SQLite or when
/// <see cref="EntityFrameworkStoreOptions.UseNotifications"/> is off.
/// </summary>
/// <remarks>
/// The package does not reference Npgsql (SQLite applications need not carry it): the listening connection is a clone
/// of the context's own (<see cref="ICloneable"/>: same connection string or data source, credentials included, never
/// read here), and Npgsql's public <c>NpgsqlConnection.WaitAsync(CancellationToken)</c>, stable since Npgsql 3, is
/// bound once per connection as a delegate.
/// </remarks>
internal sealed class NotificationListener<TContext>(
    IServiceScopeFactory scopes,
    IOptions<EntityFrameworkStoreOptions> options,
    TimeProvider time,
    ILoggerFactory? loggers = null) : IEventStoreWatcher
    where TContext : DbContext
{
    /// <summary>The wait after the first failure; it doubles with every further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger = loggers?.CreateLogger(Log.Category) ?? NullLogger.Instance;

    /// <summary>Called after every notification and every (re)connection (tests count them).</summary>
    internal Action<string>? Observer { get; set; }

    public async Task WatchAsync(Action wakeUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wakeUp);
        if (!options.Value.UseNotifications || await TargetAsync().ConfigureAwait(false) is not { } target)
        {
            return;
        }

        using (target.Prototype)
        {
            await ListenAsync(target, wakeUp, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ListenAsync(Target target, Action wakeUp, CancellationToken cancellationToken)
    {
        var contextType = typeof(TContext).Name;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var connection = (DbConnection)((ICloneable)target.Prototype).Clone();
            await using (connection.ConfigureAwait(false))
            {
                try
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    var listen = connection.CreateCommand();
                    await using (listen.ConfigureAwait(false))
                    {
                        listen.CommandText = target.ListenSql;
                        await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    if (failures > 0)
                    {
                        Log.ListenerRestored(_logger, contextType, target.Channel, failures);
                    }
                    else
                    {
                        Log.Listening(_logger, contextType, target.Channel);
                    }

                    failures = 0;

                    // Events committed before LISTEN took effect (at start, or while the connection was down) sent
                    // their notification to nobody: claim once now.
                    Wake(wakeUp, "listening");
                    var wait = target.Wait.CreateDelegate<Func<CancellationToken, Task>>(connection);
                    while (true)
                    {
                        await wait(cancellationToken).ConfigureAwait(false);
                        Wake(wakeUp, "notified");
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    failures++;
                    var delay = RetryDelay(failures);
                    Log.ListenerDown(_logger, contextType, target.Channel, failures, delay, ex);
                    var backoff = Task.Delay(delay, time, cancellationToken);
                    Observer?.Invoke("down");
                    try
                    {
                        await backoff.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }
    }

    /// <summary>The wait before reconnecting after <paramref name="failures"/> failures in a row.</summary>
    internal static TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(failures - 1, 16)));

    private void Wake(Action wakeUp, string why)
    {
        wakeUp();
        Observer?.Invoke(why);
    }

    /// <summary>What to listen on and how, or <see langword="null"/> when the context's database cannot notify.</summary>
    private async Task<Target?> TargetAsync()
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            if (context.Database.ProviderName != StoreDialect.PostgreSqlProvider
                || StoreDialect.Get(context, _logger) is not PostgreSqlDialect dialect)
            {
                return null;
            }

            var connection = context.Database.GetDbConnection();
            var wait = connection.GetType().GetMethod("WaitAsync", BindingFlags.Public | BindingFlags.Instance, [typeof(CancellationToken)]);
            if (connection is not ICloneable cloneable || wait is null || wait.ReturnType != typeof(Task))
            {
                Log.ListenerUnsupported(_logger, typeof(TContext).Name, connection.GetType().Name);
                return null;
            }

            return new Target((DbConnection)cloneable.Clone(), wait, dialect.PostgreSqlChannel, dialect.ListenSql);
        }
    }

    private sealed record Target(DbConnection Prototype, MethodInfo Wait, string Channel, string ListenSql);
}
