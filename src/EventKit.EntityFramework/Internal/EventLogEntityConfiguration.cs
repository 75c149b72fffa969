using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EventKit.EntityFramework.Internal;

internal sealed class EventLogEntityConfiguration(EventKitModelOptions options) : IEntityTypeConfiguration<EventLogEntity>
{
    public void Configure(EntityTypeBuilder<EventLogEntity> builder)
    {
        var table = options.EventLogsTable;
        builder.ToTable(table, options.Schema);
        builder.HasKey(l => l.Id).HasName(DatabaseNames.For("pk_", table, ""));
        builder.Property(l => l.Id).HasColumnName("id").ValueGeneratedNever();
        builder.Property(l => l.EventId).HasColumnName("event_id");
        builder.Property(l => l.Kind).HasColumnName("kind").HasMaxLength(20).IsRequired().HasDefaultValue(EventLogKind.HandlerRun)
            .HasConversion(k => EventLogEntity.KindString(k), k => EventLogEntity.ParseKind(k));
        builder.Property(l => l.Action).HasColumnName("action").HasMaxLength(200).IsRequired();
        builder.Property(l => l.PerformedBy).HasColumnName("performed_by").HasMaxLength(200);
        builder.Property(l => l.Result).HasColumnName("result").HasMaxLength(20).IsRequired()
            .HasConversion(r => EventLogEntity.ResultString(r), r => EventLogEntity.ParseResult(r));
        builder.Property(l => l.Error).HasColumnName("error").HasMaxLength(EventLogEntry.MaxErrorLength);
        builder.Property(l => l.Reason).HasColumnName("reason").HasMaxLength(EventLogEntry.MaxErrorLength);
        builder.Property(l => l.Attempt).HasColumnName("attempt");
        builder.Property(l => l.DurationMs).HasColumnName("duration_ms");
        builder.Property(l => l.CreatedAt).HasColumnName("created_at");

        // Retention deletes events; their log goes with them.
        builder.HasOne<EventEntity>().WithMany().HasForeignKey(l => l.EventId)
            .OnDelete(DeleteBehavior.Cascade).HasConstraintName(DatabaseNames.For("fk_", $"{table}_{options.EventsTable}", "_event_id"));
        builder.HasIndex(l => l.EventId).HasDatabaseName(DatabaseNames.For("ix_", table, "_event_id"));
        builder.HasIndex(l => l.PerformedBy).HasDatabaseName(DatabaseNames.For("ix_", table, "_performed_by"));

        // The timeline's failed attempts and the handler statistics read runs by the time they ended.
        builder.HasIndex(l => l.CreatedAt).HasDatabaseName(DatabaseNames.For("ix_", table, "_created_at"));
    }
}
