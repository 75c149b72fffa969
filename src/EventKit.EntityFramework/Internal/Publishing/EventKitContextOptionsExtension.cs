using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.EntityFramework.Internal.Publishing;

#pragma warning disable EF1001 // IResettableService: see ContextOutbox.

/// <summary>
/// Adds <see cref="ContextOutbox"/> to the context's own EF Core services (one per context instance, reset with a pooled
/// context) and EventKit's interceptor as an injected interceptor of those services. Options of an <c>AddDbContext</c>
/// context are rebuilt for every scope; adding the interceptor through <c>AddInterceptors</c> there clones EF Core's core
/// options extension each time (about 3.7 KB per request, measured), adding this extension one dictionary entry. The
/// interceptor is one shared, stateless instance (its per-context state and application services are in
/// <see cref="ContextOutbox"/>), so every context keeps the same EF Core internal service provider.
/// </summary>
internal sealed class EventKitContextOptionsExtension : IDbContextOptionsExtension
{
    public static readonly EventKitContextOptionsExtension Instance = new();

    private DbContextOptionsExtensionInfo? _info;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
        services.AddScoped<ContextOutbox>();
        services.AddScoped<IResettableService>(sp => sp.GetRequiredService<ContextOutbox>());
        services.AddSingleton<IInterceptor>(OutboxInterceptor.Instance);
    }

    public void Validate(IDbContextOptions options)
    {
    }

    private sealed class ExtensionInfo(EventKitContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;

        public override string LogFragment => "EventKit ";

        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) => debugInfo["EventKit:Outbox"] = "1";
    }
}
