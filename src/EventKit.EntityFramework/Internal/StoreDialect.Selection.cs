using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace EventKit.EntityFramework.Internal;

/// <summary>The choice of a dialect: per model and provider, built from the model's table names and cached on the model.</summary>
internal abstract partial class StoreDialect
{
    public static string? Unsupported(DbContext context) =>
        context.Database.ProviderName is PostgreSqlProvider or SqliteProvider
            ? null
            : $"EventKit.EntityFramework supports {Supported}; {context.GetType().Name} uses '{context.Database.ProviderName}'.";

    /// <summary>
    /// The dialect of <paramref name="context"/>'s model and provider, built on first use and kept on the model itself
    /// (a runtime annotation). Every model gets its own SQL: one context type used with SQLite and with PostgreSQL,
    /// or a context whose model varies per instance (<c>IModelCacheKeyFactory</c>, e.g. a schema per tenant), has one
    /// model per variant, and the dialect lives exactly as long as its model. Logs the choice once per model.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model does not map EventKit's tables.</exception>
    /// <exception cref="NotSupportedException">The provider is not supported.</exception>
    public static StoreDialect Get(DbContext context, ILogger logger) =>
        context.Model.GetOrAddRuntimeAnnotationValue(
            AnnotationPrefix + context.Database.ProviderName,
            static state =>
            {
                var dialect = For(state.Context);
                Log.DialectChosen(state.Logger, state.Context.GetType().Name, dialect.Name, dialect.EventsTable, dialect.LogsTable);
                return dialect;
            },
            (Context: context, Logger: logger));

    /// <summary>Builds the dialect of <paramref name="context"/>'s model and provider (uncached; see <see cref="Get"/>).</summary>
    /// <exception cref="InvalidOperationException">The model does not map EventKit's tables.</exception>
    /// <exception cref="NotSupportedException">The provider is not supported.</exception>
    public static StoreDialect For(DbContext context)
    {
        var events = context.Model.FindEntityType(typeof(EventEntity))
            ?? throw new InvalidOperationException(MissingModel(context));
        var logs = context.Model.FindEntityType(typeof(EventLogEntity))
            ?? throw new InvalidOperationException(MissingModel(context));
        var pauses = context.Model.FindEntityType(typeof(EventTypePauseEntity))
            ?? throw new InvalidOperationException(MissingModel(context));
        var processors = context.Model.FindEntityType(typeof(EventProcessorEntity))
            ?? throw new InvalidOperationException(MissingModel(context));
        var sql = context.GetService<ISqlGenerationHelper>();
        var eventsTable = sql.DelimitIdentifier(events.GetTableName() ?? throw new InvalidOperationException(MissingModel(context)), events.GetSchema());
        var logsTable = sql.DelimitIdentifier(logs.GetTableName() ?? throw new InvalidOperationException(MissingModel(context)), logs.GetSchema());
        var pausesTable = sql.DelimitIdentifier(pauses.GetTableName() ?? throw new InvalidOperationException(MissingModel(context)), pauses.GetSchema());
        var processorsTable = sql.DelimitIdentifier(processors.GetTableName() ?? throw new InvalidOperationException(MissingModel(context)), processors.GetSchema());
        return context.Database.ProviderName switch
        {
            PostgreSqlProvider => new PostgreSqlDialect(eventsTable, logsTable, pausesTable, processorsTable, events.FindProperty(nameof(EventEntity.Payload))?.GetColumnType() ?? "json")
            {
                PostgreSqlChannel = NotificationChannel.For(events.GetSchema(), events.GetTableName()!),
                QuotedChannel = sql.DelimitIdentifier(NotificationChannel.For(events.GetSchema(), events.GetTableName()!)),
            },
            SqliteProvider => new SqliteDialect(eventsTable, logsTable, pausesTable, processorsTable),
            _ => throw new NotSupportedException(Unsupported(context)),
        };
    }

    public static string MissingModel(DbContext context) =>
        $"{context.GetType().Name} does not map EventKit's tables. Call modelBuilder.AddEventKit() in {context.GetType().Name}.OnModelCreating, then add a migration.";
}
