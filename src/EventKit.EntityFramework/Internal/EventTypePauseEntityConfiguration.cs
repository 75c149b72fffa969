using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EventKit.EntityFramework.Internal;

internal sealed class EventTypePauseEntityConfiguration(EventKitModelOptions options) : IEntityTypeConfiguration<EventTypePauseEntity>
{
    public void Configure(EntityTypeBuilder<EventTypePauseEntity> builder)
    {
        var table = options.PausesTable;
        builder.ToTable(table, options.Schema);
        builder.HasKey(p => p.Type).HasName(DatabaseNames.For("pk_", table, ""));
        builder.Property(p => p.Type).HasColumnName("type").HasMaxLength(200).ValueGeneratedNever();
        builder.Property(p => p.PausedBy).HasColumnName("paused_by").HasMaxLength(200).IsRequired();
        builder.Property(p => p.Reason).HasColumnName("reason").HasMaxLength(EventLogEntry.MaxErrorLength).IsRequired();
        builder.Property(p => p.PausedAt).HasColumnName("paused_at");
    }
}
