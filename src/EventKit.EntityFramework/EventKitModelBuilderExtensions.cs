using System.Text.RegularExpressions;
using EventKit.EntityFramework.Internal;
using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework;

/// <summary>Maps EventKit's tables into an application's EF Core model.</summary>
public static partial class EventKitModelBuilderExtensions
{
    /// <summary>
    /// Adds the <c>events</c>, <c>event_logs</c>, <c>event_type_pauses</c> and <c>event_processors</c> tables to the model, so they are created by the application's
    /// own migrations. Call it from <c>OnModelCreating</c> of the context passed to <c>UseEntityFramework</c>.
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <param name="configure">Configures table names and schema, or <see langword="null"/>.</param>
    /// <returns>The model builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelBuilder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A table or schema name is not a plain identifier, two table names are equal, or
    /// <see cref="EventKitModelOptions.PayloadColumnType"/> is blank or <c>jsonb</c>.
    /// </exception>
    public static ModelBuilder AddEventKit(this ModelBuilder modelBuilder, Action<EventKitModelOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var options = new EventKitModelOptions();
        configure?.Invoke(options);
        ValidateIdentifier(options.EventsTable, "EventsTable", required: true, nameof(configure));
        ValidateIdentifier(options.EventLogsTable, "EventLogsTable", required: true, nameof(configure));
        ValidateIdentifier(options.PausesTable, "PausesTable", required: true, nameof(configure));
        ValidateIdentifier(options.ProcessorsTable, "ProcessorsTable", required: true, nameof(configure));
        ValidateIdentifier(options.Schema, "Schema", required: false, nameof(configure));
        (string Option, string Name)[] tables =
            [("EventsTable", options.EventsTable), ("EventLogsTable", options.EventLogsTable), ("PausesTable", options.PausesTable), ("ProcessorsTable", options.ProcessorsTable)];
        for (var i = 0; i < tables.Length; i++)
        {
            for (var j = i + 1; j < tables.Length; j++)
            {
                if (string.Equals(tables[i].Name, tables[j].Name, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ArgumentException($"{tables[i].Option} and {tables[j].Option} must differ; both are '{tables[i].Name}'.", nameof(configure));
                }
            }
        }

        ValidatePayloadColumnType(options.PayloadColumnType, nameof(configure));

        // The provider's conventions annotate the model before OnModelCreating runs: that tells PostgreSQL apart. Its
        // json type keeps the text as written (key order, whitespace, every escape); jsonb would not (see the option).
        var payloadType = options.PayloadColumnType
            ?? (modelBuilder.Model.GetAnnotations().Any(a => a.Name.StartsWith("Npgsql:", StringComparison.Ordinal)) ? "json" : null);

        modelBuilder.ApplyConfiguration(new EventEntityConfiguration(options, payloadType));
        modelBuilder.ApplyConfiguration(new EventLogEntityConfiguration(options));
        modelBuilder.ApplyConfiguration(new EventTypePauseEntityConfiguration(options));
        modelBuilder.ApplyConfiguration(new EventProcessorEntityConfiguration(options));
        return modelBuilder;
    }

    private static void ValidatePayloadColumnType(string? columnType, string paramName)
    {
        if (columnType is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(columnType))
        {
            throw new ArgumentException("EventKitModelOptions.PayloadColumnType must be null (the provider's default) or a column type name; it was blank.", paramName);
        }

        if (IsJsonb(columnType))
        {
            throw new ArgumentException(
                "EventKitModelOptions.PayloadColumnType cannot be 'jsonb': jsonb reorders object keys (System.Text.Json reads a polymorphic payload's \"$type\" only when it comes first) " +
                "and refuses the \\u0000 escape, so payloads would not round-trip exactly. Leave it null (json on PostgreSQL), or use 'json' or a text type; cast to jsonb in queries that need its operators.",
                paramName);
        }
    }

    /// <summary>Whether the type names jsonb however it is spelled: any case, quoted, or qualified by a schema (<c>pg_catalog.jsonb</c>).</summary>
    private static bool IsJsonb(string columnType)
    {
        var name = columnType.AsSpan().Trim();
        if (name.LastIndexOf('.') is var dot and >= 0)
        {
            name = name[(dot + 1)..].Trim();
        }

        return name.Trim('"').Trim().Equals("jsonb", StringComparison.OrdinalIgnoreCase);
    }

    private static void ValidateIdentifier(string? value, string option, bool required, string paramName)
    {
        if (value is null && !required)
        {
            return;
        }

        if (value is null || !Identifier().IsMatch(value))
        {
            throw new ArgumentException(
                $"EventKitModelOptions.{option} must be a plain identifier: letters, digits and underscores, starting with a letter or underscore, at most 63 characters; it was '{value}'.",
                paramName);
        }
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
