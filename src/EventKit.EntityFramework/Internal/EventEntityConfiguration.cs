using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EventKit.EntityFramework.Internal;

internal sealed class EventEntityConfiguration(EventKitModelOptions options, string? payloadColumnType) : IEntityTypeConfiguration<EventEntity>
{
    public void Configure(EntityTypeBuilder<EventEntity> builder)
    {
        var table = options.EventsTable;
        builder.ToTable(table, options.Schema);
        builder.HasKey(e => e.Id).HasName(DatabaseNames.For("pk_", table, ""));
        builder.Property(e => e.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(e => e.Type).HasColumnName("type").HasMaxLength(200).IsRequired();
        builder.Property(e => e.Entity).HasColumnName("entity").HasMaxLength(100).IsRequired();
        builder.Property(e => e.EntityId).HasColumnName("entity_id").HasMaxLength(200).IsRequired();
        var payload = builder.Property(e => e.Payload).HasColumnName("payload").IsRequired();
        if (payloadColumnType is not null)
        {
            payload.HasColumnType(payloadColumnType);
        }

        builder.Property(e => e.Status).HasColumnName("status").HasMaxLength(20).IsRequired()
            .HasConversion(s => s.ToStorageString(), s => EventStatusExtensions.ParseStatus(s));
        builder.Property(e => e.Attempts).HasColumnName("attempts");
        builder.Property(e => e.UncountedAttempts).HasColumnName("uncounted_attempts").HasDefaultValue(0);
        builder.Property(e => e.AvailableAt).HasColumnName("available_at");
        builder.Property(e => e.CreatedAt).HasColumnName("created_at");
        builder.Property(e => e.ProcessedAt).HasColumnName("processed_at");
        builder.Property(e => e.LockedBy).HasColumnName("locked_by").HasMaxLength(200);
        builder.Property(e => e.LockedUntil).HasColumnName("locked_until");
        builder.Property(e => e.Actor).HasColumnName("actor").HasMaxLength(200);
        builder.Property(e => e.CorrelationId).HasColumnName("correlation_id").HasMaxLength(200);
        builder.Property(e => e.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(200);
        builder.Property(e => e.TraceParent).HasColumnName("trace_parent").HasMaxLength(100);
        builder.Property(e => e.LastError).HasColumnName("last_error").HasMaxLength(EventLogEntry.MaxErrorLength);
        builder.Property(e => e.Ordering).HasColumnName("ordering").HasConversion<int>().HasDefaultValue(EventOrdering.None).HasSentinel(EventOrdering.None);

        // The claim reads only this partial index: runnable rows ordered by availability (for a leased row, its
        // lease expiry). Completed and dead-lettered rows, the bulk of the table, are not in it.
        builder.HasIndex(e => new { e.AvailableAt, e.Id }).HasDatabaseName(DatabaseNames.For("ix_", table, "_runnable"))
            .HasFilter("\"status\" IN ('pending', 'processing', 'failed')");
        builder.HasIndex(e => new { e.Status, e.ProcessedAt }).HasDatabaseName(DatabaseNames.For("ix_", table, "_status_processed_at"));
        builder.HasIndex(e => new { e.CreatedAt, e.Type }).HasDatabaseName(DatabaseNames.For("ix_", table, "_created_at_type"));

        // The operations' queries (IEventOperations.GetEventsAsync, bulk requeue and purge) page by (created_at, id)
        // within a status, a type or an entity; a creation range alone uses ix_created_at_type.
        builder.HasIndex(e => new { e.Status, e.CreatedAt, e.Id }).HasDatabaseName(DatabaseNames.For("ix_", table, "_status_created_at"));
        builder.HasIndex(e => new { e.Type, e.CreatedAt, e.Id }).HasDatabaseName(DatabaseNames.For("ix_", table, "_type_created_at"));
        builder.HasIndex(e => new { e.Entity, e.EntityId, e.CreatedAt, e.Id }).HasDatabaseName(DatabaseNames.For("ix_", table, "_entity_created_at"));
        // Ordering per entity: the claim asks, for each ordered candidate, whether an earlier ordered event of its entity
        // still holds it back. Only ordered rows that can hold back (unfinished, or dead-lettered) are in this index, so
        // the probe reads at most the entity's waiting rows, never its history. Named: the index above has the same columns.
        builder.HasIndex(e => new { e.Entity, e.EntityId, e.CreatedAt, e.Id }, DatabaseNames.For("ix_", table, "_ordered"))
            .HasFilter(StoreOrdering.IndexFilter);
        builder.HasIndex(e => e.IdempotencyKey).IsUnique().HasDatabaseName(DatabaseNames.For("ux_", table, "_idempotency_key"))
            .HasFilter("\"idempotency_key\" IS NOT NULL");
    }
}
