using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Internal;

internal sealed class HandlerDescriptor<THandler, TPayload> : HandlerDescriptor
    where THandler : class, IEventHandler<TPayload>
{
    public HandlerDescriptor(string eventType, string name, HandlerSettings settings)
        : base(eventType, name, settings, typeof(THandler), typeof(TPayload))
    {
    }

    public override object? Deserialize(string json, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<TPayload>(json, options);

    public override Task InvokeAsync(IServiceProvider services, EventRecord record, object? payload, CancellationToken cancellationToken)
    {
        var handler = services.GetRequiredService<THandler>();
        return handler.HandleAsync(new EventContext<TPayload>(record, (TPayload)payload!), cancellationToken);
    }
}
