using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EventKit.EntityFramework.Internal;

/// <summary>
/// Fails host start-up, saying why, when the store cannot work: the context is not registered, its provider is not
/// supported, or its model lacks EventKit's tables. Otherwise builds (and logs) the dialect of the context's model, so
/// the statements the store will run are chosen before the processor's first claim.
/// </summary>
internal sealed class EntityFrameworkStoreValidator<TContext>(IServiceScopeFactory scopes, ILoggerFactory? loggerFactory = null) : IValidateOptions<EventKitOptions>
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

        if (context.Model.FindEntityType(typeof(EventEntity)) is null || context.Model.FindEntityType(typeof(EventLogEntity)) is null)
        {
            return ValidateOptionsResult.Fail(StoreDialect.MissingModel(context));
        }

        try
        {
            _ = StoreDialect.Get(context, loggerFactory?.CreateLogger(Log.Category) ?? NullLogger.Instance);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }

        return ValidateOptionsResult.Success;
    }
}
