using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace EventKit.EntityFramework.Internal;

/// <summary>The few statements EF Core cannot express (the atomic claim, the average duration), per provider.</summary>
internal sealed class StoreDialect
{
    public const string PostgreSqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    public const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";
    public const string Supported = $"PostgreSQL ({PostgreSqlProvider}) and SQLite ({SqliteProvider})";

    private StoreDialect(string claimSql, string averageSql)
    {
        ClaimSql = claimSql;
        AverageProcessingSecondsSql = averageSql;
    }

    /// <summary>Parameters: {0} owner, {1} lease expiry, {2} now, {3} max count. Returns the claimed rows.</summary>
    public string ClaimSql { get; }

    /// <summary>Returns one row, column <c>Value</c>: average seconds from creation to completion, or null.</summary>
    public string AverageProcessingSecondsSql { get; }

    public static string? Unsupported(DbContext context) =>
        context.Database.ProviderName is PostgreSqlProvider or SqliteProvider
            ? null
            : $"EventKit.EntityFramework supports {Supported}; {context.GetType().Name} uses '{context.Database.ProviderName}'.";

    public static StoreDialect For(DbContext context)
    {
        var events = context.Model.FindEntityType(typeof(EventEntity))
            ?? throw new InvalidOperationException(MissingModel(context));
        var sql = context.GetService<ISqlGenerationHelper>();
        var table = sql.DelimitIdentifier(events.GetTableName()!, events.GetSchema());
        const string Runnable = "\"status\" IN ('pending', 'processing', 'failed') AND \"available_at\" <= {2}";
        const string Set = "\"status\" = 'processing', \"attempts\" = e.\"attempts\" + 1, \"locked_by\" = {0}, \"locked_until\" = {1}, \"available_at\" = {1}";

        return context.Database.ProviderName switch
        {
            // SKIP LOCKED: concurrent claimers take disjoint rows without waiting for each other.
            PostgreSqlProvider => new StoreDialect(
                $"UPDATE {table} AS e SET {Set} FROM (SELECT \"id\" FROM {table} WHERE {Runnable} " +
                "ORDER BY \"available_at\", \"id\" LIMIT {3} FOR UPDATE SKIP LOCKED) AS c WHERE e.\"id\" = c.\"id\" RETURNING e.*",
                $"SELECT CAST(AVG(EXTRACT(EPOCH FROM (\"processed_at\" - \"created_at\"))) AS double precision) AS \"Value\" FROM {table} WHERE \"status\" = 'completed'"),

            // SQLite has one writer at a time: a single UPDATE … RETURNING is atomic.
            SqliteProvider => new StoreDialect(
                $"UPDATE {table} AS e SET {Set} WHERE \"id\" IN (SELECT \"id\" FROM {table} WHERE {Runnable} " +
                "ORDER BY \"available_at\", \"id\" LIMIT {3}) RETURNING *",
                $"SELECT AVG((julianday(\"processed_at\") - julianday(\"created_at\")) * 86400.0) AS \"Value\" FROM {table} WHERE \"status\" = 'completed'"),

            _ => throw new NotSupportedException(Unsupported(context)),
        };
    }

    public static string MissingModel(DbContext context) =>
        $"{context.GetType().Name} does not map EventKit's tables. Call modelBuilder.AddEventKit() in {context.GetType().Name}.OnModelCreating, then add a migration.";
}
