using EventKit.EntityFramework;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Docs.Tests;

// README "Stores": the application's DbContext, its registration and a use case. StoresTests runs them.
public static class StoresSnippets
{
    public static void Register(IServiceCollection services, string connectionString)
    {
        // <readme:stores-services>
        services.AddDbContext<AppDbContext>(o => o.UseNpgsql(connectionString));   // or UseSqlite
        services.AddEventKit().UseEntityFramework<AppDbContext>().AddHandler<WelcomeEmailHandler>();
        // </readme:stores-services>
    }

    public static void RegisterWithoutNotifications(IServiceCollection services)
    {
        // <readme:stores-notifications-off>
        services.AddEventKit()
            .UseEntityFramework<AppDbContext>(o => o.UseNotifications = false)   // poll only
            .AddHandler<WelcomeEmailHandler>();
        // </readme:stores-notifications-off>
    }

    public static async Task CreateUserAsync(AppDbContext db, IEventPublisher publisher, User user)
    {
        // <readme:stores-use-case>
        db.Users.Add(user);
        await publisher.PublishAsync(new UserCreated(user.Id, user.Email, user.Name));
        await db.SaveChangesAsync();   // the user and the event commit together, or neither does
        // </readme:stores-use-case>
    }
}

// <readme:stores-dbcontext>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.AddEventKit();   // events + event_logs join your model (options: schema, table names)
}
// </readme:stores-dbcontext>
