namespace EventKit.Benchmarks.Infrastructure;

/// <summary>The no-op handler: it only tells the probe that it started.</summary>
public sealed class BenchHandler(HandlerProbe probe) : IEventHandler<OrderPlaced>
{
    public Task HandleAsync(EventContext<OrderPlaced> context, CancellationToken cancellationToken)
    {
        probe.Started(context.Payload.Seq);
        return Task.CompletedTask;
    }
}
