using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.EntityFramework.Internal.Publishing;

#pragma warning disable EF1001 // IResettableService: see ContextOutbox.

/// <summary>Adds <see cref="ContextOutbox"/> to the context's own EF Core services (one per context instance, reset with a pooled context).</summary>
internal sealed class EventKitContextOptionsExtension : IDbContextOptionsExtension
{
    private DbContextOptionsExtensionInfo? _info;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
        services.AddScoped<ContextOutbox>();
        services.AddScoped<IResettableService>(sp => sp.GetRequiredService<ContextOutbox>());
    }

    public void Validate(IDbContextOptions options)
    {
    }

    private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;

        public override string LogFragment => "EventKit ";

        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) => debugInfo["EventKit:Outbox"] = "1";
    }
}
