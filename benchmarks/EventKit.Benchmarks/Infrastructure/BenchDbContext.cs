using EventKit.EntityFramework;
using Microsoft.EntityFrameworkCore;

namespace EventKit.Benchmarks.Infrastructure;

/// <summary>An application's context: its own <c>orders</c> table plus EventKit's tables, as a user maps them.</summary>
public abstract class BenchDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(b =>
        {
            b.ToTable("orders");
            b.Property(o => o.Id).HasColumnName("id");
            b.Property(o => o.Customer).HasColumnName("customer").HasMaxLength(200);
            b.Property(o => o.Amount).HasColumnName("amount");
            b.Property(o => o.CreatedAt).HasColumnName("created_at");
        });
        modelBuilder.AddEventKit();
    }
}
