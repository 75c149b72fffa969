using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.TestHost;

/// <summary>The test host's application context: its <c>handled</c> table plus EventKit's, created by one migration.</summary>
public sealed class TestHostDbContext(DbContextOptions<TestHostDbContext> options) : DbContext(options)
{
    public DbSet<HandledEvent> Handled => Set<HandledEvent>();

    public DbSet<StepRun> StepRuns => Set<StepRun>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<HandledEvent>(b =>
        {
            b.ToTable("handled");

            // The unique constraint the handler's upsert relies on (ON CONFLICT (event_id, handler)).
            b.HasKey(h => new { h.EventId, h.Handler }).HasName("pk_handled");
            b.Property(h => h.EventId).HasColumnName("event_id");
            b.Property(h => h.Handler).HasColumnName("handler").HasMaxLength(200);
            b.Property(h => h.Runs).HasColumnName("runs");
            b.Property(h => h.Instance).HasColumnName("instance").HasMaxLength(100);
        });
        modelBuilder.HasSequence<long>("step_order");
        modelBuilder.Entity<StepRun>(b =>
        {
            b.ToTable("step_runs");
            b.HasKey(r => r.EventId).HasName("pk_step_runs");
            b.Property(r => r.EventId).HasColumnName("event_id");
            b.Property(r => r.Item).HasColumnName("item");
            b.Property(r => r.Seq).HasColumnName("seq");
            b.Property(r => r.Runs).HasColumnName("runs");
            b.Property(r => r.Started).HasColumnName("started");
            b.Property(r => r.Finished).HasColumnName("finished");
            b.Property(r => r.Instance).HasColumnName("instance").HasMaxLength(100);
        });
        modelBuilder.AddEventKit();
    }
}
