using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Internal;

internal sealed class EventKitBuilder(IServiceCollection services, HandlerRegistry registry) : IEventKitBuilder
{
    public IServiceCollection Services { get; } = services;

    public HandlerRegistry Registry { get; } = registry;
}
