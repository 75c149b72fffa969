using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EventKit.EntityFramework.Internal;

internal sealed class EventProcessorEntityConfiguration(EventKitModelOptions options) : IEntityTypeConfiguration<EventProcessorEntity>
{
    public void Configure(EntityTypeBuilder<EventProcessorEntity> builder)
    {
        var table = options.ProcessorsTable;
        builder.ToTable(table, options.Schema);
        builder.HasKey(p => p.Id).HasName(DatabaseNames.For("pk_", table, ""));
        builder.Property(p => p.Id).HasColumnName("id").HasMaxLength(200).ValueGeneratedNever();
        builder.Property(p => p.Host).HasColumnName("host").HasMaxLength(200).IsRequired();
        builder.Property(p => p.StartedAt).HasColumnName("started_at");
        builder.Property(p => p.LastSeenAt).HasColumnName("last_seen_at");
        builder.Property(p => p.InFlight).HasColumnName("in_flight");
    }
}
