using Microsoft.Extensions.DependencyInjection;

namespace EventKit;

/// <summary>Configures EventKit: returned by <c>services.AddEventKit()</c>, extended by each package (handlers, stores).</summary>
public interface IEventKitBuilder
{
    /// <summary>Gets the service collection EventKit is registered in.</summary>
    IServiceCollection Services { get; }
}
