using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventKit.EntityFramework.Tests;

[EventType("probe.thing", Entity = "thing")]
public sealed record ProbeThing([property: EntityId] string Id, string Text);

[EventType("probe.raw", Entity = "thing")]
public sealed record ProbeRaw([property: EntityId] string Id, [property: JsonConverter(typeof(ProbeInvalidRawConverter))] string Raw);

/// <summary>A converter that writes raw JSON without validation (a hand-tuned fast path): here, invalid JSON.</summary>
public sealed class ProbeInvalidRawConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString() ?? "";

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteRawValue(value, skipInputValidation: true);
}

public sealed class ProbeSink
{
    public List<ProbeThing> Seen { get; } = [];

    public TaskCompletionSource Started { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _longRuns;
    private int _failOnceLeft = 1;

    public int LongRuns => Volatile.Read(ref _longRuns);

    public void CountLongRun() => Interlocked.Increment(ref _longRuns);

    public bool FailOnce() => Interlocked.Exchange(ref _failOnceLeft, 0) == 1;
}

/// <summary>Records payloads; "die" dead-letters at once; "block" waits for the sink's release.</summary>
public sealed class ProbeThingHandler(ProbeSink sink) : IEventHandler<ProbeThing>
{
    public async Task HandleAsync(EventContext<ProbeThing> context, CancellationToken cancellationToken)
    {
        lock (sink.Seen)
        {
            sink.Seen.Add(context.Payload);
        }

        if (context.Payload.Text == "die")
        {
            throw new NonRetryableEventException("probe dead letter");
        }

        if (context.Payload.Text == "fail-once" && sink.FailOnce())
        {
            throw new InvalidOperationException("probe: fails once");
        }

        if (context.Payload.Text == "throw-hostile")
        {
            throw new InvalidOperationException("bad\0nul \uD800 lone \uDC00 low \U0001F600 pair " + new string('x', 3000));
        }

        if (context.Payload.Text == "block")
        {
            sink.Started.TrySetResult();
            await sink.Release.Task.WaitAsync(cancellationToken);
        }
    }
}

public sealed class ProbeRawHandler : IEventHandler<ProbeRaw>
{
    public Task HandleAsync(EventContext<ProbeRaw> context, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A handler whose class name (its default handler name) is longer than the 200 characters the event log's column holds.</summary>
public sealed class ProbeLongXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX (ProbeSink sink) : IEventHandler<ProbeThing>
{
    public Task HandleAsync(EventContext<ProbeThing> context, CancellationToken cancellationToken)
    {
        sink.CountLongRun();
        return Task.CompletedTask;
    }
}

[EventType("probe.base", Entity = "thing")]
public record ProbeBase([property: EntityId] string Id);

[EventType("probe.derived", Entity = "thing")]
public sealed record ProbeDerived(string Id, string Extra) : ProbeBase(Id);
