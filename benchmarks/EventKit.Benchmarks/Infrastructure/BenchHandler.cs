namespace EventKit.Benchmarks.Infrastructure;

/// <summary>
/// The no-op handler: it only tells the probe that it started. When the probe asks for slow events, every
/// <see cref="HandlerProbe.SlowEvery"/>-th event instead waits <see cref="HandlerProbe.SlowFor"/> (asynchronously, as
/// a call to a slow gateway does).
/// </summary>
public sealed class BenchHandler(HandlerProbe probe) : IEventHandler<OrderPlaced>
{
    public Task HandleAsync(EventContext<OrderPlaced> context, CancellationToken cancellationToken)
    {
        var seq = context.Payload.Seq;
        probe.Started(seq);
        return probe.SlowEvery > 0 && seq % probe.SlowEvery == 0
            ? Task.Delay(probe.SlowFor, cancellationToken)
            : Task.CompletedTask;
    }
}
