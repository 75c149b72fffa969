using System.Text;
using EventKit.EntityFramework;
using Microsoft.EntityFrameworkCore;
using Workspace.Domain;

namespace Workspace.Data;

/// <summary>
/// The application's one context: its business tables, the tables its handlers write to, and EventKit's
/// <c>events</c> and <c>event_logs</c>, all in one model and one migration. Because they share a database, a use
/// case's change and its events commit in one SaveChanges (the transactional outbox).
/// </summary>
public sealed class WorkspaceDbContext(DbContextOptions<WorkspaceDbContext> options) : DbContext(options)
{
    public DbSet<Company> Companies => Set<Company>();

    public DbSet<User> Users => Set<User>();

    public DbSet<Project> Projects => Set<Project>();

    public DbSet<ProjectTask> Tasks => Set<ProjectTask>();

    public DbSet<Invoice> Invoices => Set<Invoice>();

    public DbSet<Document> Documents => Set<Document>();

    public DbSet<Email> Emails => Set<Email>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<PaymentReport> PaymentReports => Set<PaymentReport>();

    public DbSet<PlanExtension> PlanExtensions => Set<PlanExtension>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Company>(b =>
        {
            b.ToTable("companies");
            b.Property(c => c.Name).HasMaxLength(200);
            b.Property(c => c.Plan).HasMaxLength(50);
            b.Property(c => c.BillingEmail).HasMaxLength(200);
        });
        modelBuilder.Entity<User>(b =>
        {
            b.ToTable("users");
            b.Property(u => u.Email).HasMaxLength(200);
            b.Property(u => u.Name).HasMaxLength(200);
            b.HasIndex(u => u.Email).IsUnique();
            b.HasOne<Company>().WithMany().HasForeignKey(u => u.CompanyId);
        });
        modelBuilder.Entity<Project>(b =>
        {
            b.ToTable("projects");
            b.Property(p => p.Name).HasMaxLength(200);
            b.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
            b.HasOne<Company>().WithMany().HasForeignKey(p => p.CompanyId);
            b.HasOne<User>().WithMany().HasForeignKey(p => p.ManagerId);
        });
        modelBuilder.Entity<ProjectTask>(b =>
        {
            b.ToTable("tasks");
            b.Property(t => t.Title).HasMaxLength(200);
            b.Property(t => t.Status).HasConversion<string>().HasMaxLength(20);
            b.HasOne<Project>().WithMany().HasForeignKey(t => t.ProjectId);
            b.HasOne<User>().WithMany().HasForeignKey(t => t.AssigneeId);
        });
        modelBuilder.Entity<Invoice>(b =>
        {
            b.ToTable("invoices");
            b.Property(i => i.Number).HasMaxLength(50);
            b.Property(i => i.Kind).HasConversion<string>().HasMaxLength(20);
            b.Property(i => i.Status).HasConversion<string>().HasMaxLength(20);
            b.Property(i => i.CustomerEmail).HasMaxLength(200);
            b.HasIndex(i => i.Number).IsUnique();
            b.HasOne<Company>().WithMany().HasForeignKey(i => i.CompanyId);
        });
        modelBuilder.Entity<Document>(b =>
        {
            b.ToTable("documents");
            b.Property(d => d.FileName).HasMaxLength(260);
            b.HasOne<Project>().WithMany().HasForeignKey(d => d.ProjectId);
            b.HasOne<User>().WithMany().HasForeignKey(d => d.UploadedById);
        });

        // What the handlers write. Each table has a unique key that includes the event id: handlers run at least
        // once, and a second run for the same event must find its row instead of adding another.
        modelBuilder.Entity<Email>(b =>
        {
            b.ToTable("emails");
            b.Property(e => e.Template).HasMaxLength(50);
            b.Property(e => e.To).HasMaxLength(200);
            b.Property(e => e.Subject).HasMaxLength(200);
            b.HasIndex(e => new { e.EventId, e.Template, e.To }).IsUnique();
        });
        modelBuilder.Entity<Notification>(b =>
        {
            b.ToTable("notifications");
            b.Property(n => n.Title).HasMaxLength(200);
            b.Property(n => n.Type).HasMaxLength(20);
            b.Property(n => n.EntityType).HasMaxLength(50);
            b.Property(n => n.EntityId).HasMaxLength(200);
            b.HasIndex(n => new { n.EventId, n.UserId }).IsUnique();
            b.HasOne<User>().WithMany().HasForeignKey(n => n.UserId);
        });
        modelBuilder.Entity<PaymentReport>(b =>
        {
            b.ToTable("payment_reports");
            b.Property(r => r.InvoiceNumber).HasMaxLength(50);
            b.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
            b.HasIndex(r => r.EventId).IsUnique();
        });
        modelBuilder.Entity<PlanExtension>(b =>
        {
            b.ToTable("plan_extensions");
            b.HasIndex(x => x.EventId).IsUnique();
            b.HasOne<Company>().WithMany().HasForeignKey(x => x.CompanyId);
        });

        // snake_case columns, like EventKit's own tables, so `sqlite3` queries over all of them read alike.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
        }

        // EventKit's tables join the model (they set their own column names); they come with this app's migrations.
        modelBuilder.AddEventKit();
    }

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
