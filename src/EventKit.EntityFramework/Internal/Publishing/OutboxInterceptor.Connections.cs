using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventKit.EntityFramework.Internal.Publishing;

/// <summary>
/// On SQLite, the connections the application's context opens wait for the write lock the way the processor's do:
/// EventKit's processor is a second writer beside the application's requests, and without a busy timeout
/// Microsoft.Data.Sqlite answers every busy database by sleeping 150 ms. A busy timeout the application set itself is
/// kept.
/// </summary>
internal sealed partial class OutboxInterceptor : IDbConnectionInterceptor
{
    private const string SqliteConnectionType = "Microsoft.Data.Sqlite.SqliteConnection";

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (IsSqlite(connection))
        {
            SqliteDialect.EnsureBusyTimeoutAsync(connection, CommandTimeout(eventData), async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default) =>
        IsSqlite(connection)
            ? SqliteDialect.EnsureBusyTimeoutAsync(connection, CommandTimeout(eventData), async: true, cancellationToken).AsTask()
            : Task.CompletedTask;

    // By the connection's type, not the context's provider name: this runs on every open, and needs no model.
    private static bool IsSqlite(DbConnection connection) => string.Equals(connection.GetType().FullName, SqliteConnectionType, StringComparison.Ordinal);

    private static int? CommandTimeout(ConnectionEndEventData eventData) => eventData.Context?.GetService<IRelationalConnection>().CommandTimeout;
}
