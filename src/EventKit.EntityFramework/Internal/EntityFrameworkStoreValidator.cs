using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventKit.EntityFramework.Internal;

/// <summary>Fails host start-up when the context's provider is not supported or its model lacks EventKit's tables.</summary>
internal sealed class EntityFrameworkStoreValidator<TContext>(IServiceScopeFactory scopes) : IValidateOptions<EventKitOptions>
    where TContext : DbContext
{
    public ValidateOptionsResult Validate(string? name, EventKitOptions options)
    {
        using var scope = scopes.CreateScope();
        var context = scope.ServiceProvider.GetService<TContext>();
        if (context is null)
        {
            return ValidateOptionsResult.Fail(
                $"UseEntityFramework<{typeof(TContext).Name}>() needs {typeof(TContext).Name} registered, e.g. services.AddDbContext<{typeof(TContext).Name}>(o => o.UseNpgsql(connectionString)).");
        }

        if (StoreDialect.Unsupported(context) is { } unsupported)
        {
            return ValidateOptionsResult.Fail(unsupported);
        }

        return context.Model.FindEntityType(typeof(EventEntity)) is null
            ? ValidateOptionsResult.Fail(StoreDialect.MissingModel(context))
            : ValidateOptionsResult.Success;
    }
}
