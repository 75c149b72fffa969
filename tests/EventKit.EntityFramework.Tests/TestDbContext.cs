using EventKit.EntityFramework;
using Microsoft.EntityFrameworkCore;

namespace EventKit.EntityFramework.Tests;

/// <summary>A business row published with events, to prove they commit together.</summary>
public sealed class User
{
    public Guid Id { get; set; }

    public string Email { get; set; } = "";
}

/// <summary>An application's context: its own table plus EventKit's, in one model and one migration.</summary>
public abstract class TestDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(b =>
        {
            b.ToTable("users");
            b.Property(u => u.Id).HasColumnName("id");
            b.Property(u => u.Email).HasColumnName("email").HasMaxLength(200);
            b.HasIndex(u => u.Email).IsUnique();
        });
        modelBuilder.AddEventKit();
    }
}

/// <summary>The SQLite flavour, with its own migrations (Migrations/Sqlite).</summary>
public sealed class SqliteTestDbContext(DbContextOptions<SqliteTestDbContext> options) : TestDbContext(options);

/// <summary>The PostgreSQL flavour, with its own migrations (Migrations/Postgres).</summary>
public sealed class PostgresTestDbContext(DbContextOptions<PostgresTestDbContext> options) : TestDbContext(options);
