using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventKit.EntityFramework.Internal.Notifications;

/// <summary>
/// Sends the <c>NOTIFY</c> that wakes other instances' processors <em>after</em> the application's transaction
/// committed, on a connection of its own, instead of inside that transaction. PostgreSQL serializes the commits of all
/// transactions that notify (a notifying transaction holds a database-wide lock from its pre-commit until its commit is
/// flushed, so the notification queue stays in commit order): inside the application's transaction, that lock made
/// concurrent publishers commit one at a time, each waiting for the previous one's WAL flush (measured: 1.6× the
/// time per request with 8 publishers). Here the business transactions commit (and group-commit) as they would without
/// EventKit, and the notifications of one process are coalesced: one <c>NOTIFY</c> in flight per database and channel,
/// and every commit that asks meanwhile is covered by the next one, so a burst of commits costs one or two.
/// </summary>
/// <remarks>
/// Used only where EF Core reports the commit (no transaction, or one EF Core began); an ambient
/// <c>TransactionScope</c>, or a transaction the application passed in and may commit behind EF Core's back, still
/// carries the <c>NOTIFY</c> inside. The notifying transaction commits with <c>synchronous_commit</c> off, so it
/// holds the lock without waiting for a disk flush; a notification lost to a crash costs a poll, as any lost one does.
/// A failure is logged (2010) and the processors poll.
/// </remarks>
internal sealed class CommitNotifier(ILoggerFactory? loggers = null) : IAsyncDisposable, IDisposable
{
    /// <summary>How long disposal waits for notifications still in flight.</summary>
    internal static readonly TimeSpan ShutdownWait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(string DataSource, string Database, string Channel), Sender> _senders = new();
    private readonly ILogger _logger = loggers?.CreateLogger(Log.Category) ?? NullLogger.Instance;

    /// <summary>Whether notifications through <paramref name="connection"/> can be sent after the commit (a cloneable connection).</summary>
    public static bool CanSendFor(DbConnection? connection) => connection is ICloneable;

    /// <summary>
    /// Asks for one <c>NOTIFY</c> on <paramref name="dialect"/>'s channel in <paramref name="connection"/>'s database,
    /// after a commit through it. Returns at once; the notification follows on a connection of the same settings.
    /// </summary>
    public void Send(DbConnection connection, PostgreSqlDialect dialect)
    {
        if (connection is not ICloneable)
        {
            return;
        }

        var sender = _senders.GetOrAdd(
            (connection.DataSource ?? "", connection.Database ?? "", dialect.PostgreSqlChannel),
            static (key, state) => new Sender((DbConnection)((ICloneable)state.connection).Clone(), key.Channel, "BEGIN; SET LOCAL synchronous_commit TO OFF; NOTIFY " + state.dialect.QuotedChannel + "; COMMIT", state.owner),
            (connection, dialect, owner: this));
        sender.Request();
    }

    /// <summary>Completes once no notification is waiting or in flight (tests: what was committed has been announced).</summary>
    internal async Task FlushAsync()
    {
        foreach (var sender in _senders.Values)
        {
            await sender.IdleAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The application stops: the notifications its last commits asked for still go out (bounded, so a database that
    /// stopped answering does not hold the shutdown; the other instances would find those events at their next poll).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await FlushAsync().WaitAsync(ShutdownWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        try
        {
            FlushAsync().Wait(ShutdownWait);
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>One database and channel: at most one <c>NOTIFY</c> in flight, and one more asked for behind it.</summary>
    private sealed class Sender(DbConnection prototype, string channel, string sql, CommitNotifier owner)
    {
        private int _requested;
        private int _running;
        private int _failures;
        private Task _loop = Task.CompletedTask;

        public void Request()
        {
            Volatile.Write(ref _requested, 1);
            if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
            {
                // Not the committing request's execution context: its activity and scopes ended with it.
                using (ExecutionContext.SuppressFlow())
                {
                    _loop = Task.Run(RunAsync);
                }
            }
        }

        public async Task IdleAsync()
        {
            while (Volatile.Read(ref _running) == 1 || Volatile.Read(ref _requested) == 1)
            {
                await _loop.ConfigureAwait(false);
                await Task.Yield();
            }
        }

        private async Task RunAsync()
        {
            while (true)
            {
                while (Interlocked.Exchange(ref _requested, 0) == 1)
                {
                    await SendAsync().ConfigureAwait(false);
                }

                Volatile.Write(ref _running, 0);

                // A request that came after the last exchange, whose caller saw this loop still running.
                if (Volatile.Read(ref _requested) == 0 || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
                {
                    return;
                }
            }
        }

        private async Task SendAsync()
        {
            try
            {
                var connection = (DbConnection)((ICloneable)prototype).Clone();
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync().ConfigureAwait(false);
                    var command = connection.CreateCommand();
                    await using (command.ConfigureAwait(false))
                    {
                        command.CommandText = sql;
                        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                    }
                }

                _failures = 0;
            }
            catch (Exception ex)
            {
                // Logged once per run of failures: the processors poll meanwhile, and the next commit tries again.
                if (_failures++ == 0)
                {
                    Log.NotifyFailed(owner._logger, channel, ex);
                }
            }
        }
    }
}
