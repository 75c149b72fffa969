using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Tests.Processing;

/// <summary>Whatever one event does fails only that event: never a worker, the loop, or its batch-mates.</summary>
public sealed class IsolationTests
{
    [Fact]
    public async Task PoisonConverter_AmongHealthyEvents_DeadLettersOnlyItself_WithTheRealError()
    {
        await using var host = PipelineHost.Create(handlers: b => b.AddHandler<FragileHandler>());
        var poison = await host.PublishAsync(new Fragile("poison", "poison"));
        var healthy = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            healthy.Add(await host.PublishAsync(new Fragile($"ok{i}", "fine")));
        }

        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 21, "every outcome is recorded");

        var dead = (await host.GetAsync(poison)).Event;
        dead.Status.Should().Be(EventStatus.DeadLetter, "a payload that cannot be deserialized never will be");
        dead.Attempts.Should().Be(1);
        dead.LastError.Should().Contain("FormatException").And.Contain("'poison' is not a valid value");
        foreach (var id in healthy)
        {
            var record = (await host.GetAsync(id)).Event;
            record.Status.Should().Be(EventStatus.Completed);
            record.Attempts.Should().Be(1, "a batch-mate's poison cost it nothing");
        }

        FragileHandler.Handled.Should().HaveCount(20);
        host.Logs.WithId(1015).Should().ContainSingle().Which.Exception.Should().BeOfType<FormatException>();
    }

    [Fact]
    public async Task ScopeWhoseDisposalThrows_FailsOnlyThatRun()
    {
        await using var host = PipelineHost.Create(
            handlers: b => b.AddHandler<ResourceHandler>(),
            services: s => s.AddScoped<Resource>());
        var bad = await host.PublishAsync(new Fragile("bad", "explode"));
        for (var i = 0; i < 10; i++)
        {
            await host.PublishAsync(new Fragile($"ok{i}", "fine"));
        }

        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 11, "every outcome is recorded");

        var failed = await host.GetAsync(bad);
        failed.Event.Status.Should().Be(EventStatus.Failed, "disposing its scope failed, so the run failed and is retried");
        failed.Event.LastError.Should().Contain("disposing its DI scope failed").And.Contain("The resource broke while closing.");
        failed.Log.Should().ContainSingle().Which.Result.Should().Be(EventLogResult.Failure);
        host.RecordedCount(EventStatus.Completed).Should().Be(10);
    }

    [Fact]
    public async Task HandlerThatCannotBeConstructed_FailsOnlyItsOwnRuns()
    {
        await using var host = PipelineHost.Create(
            handlers: b => b.AddHandler<StepHandler>().AddHandler<UnbuildableHandler>(),
            services: s => s.AddScoped<Resource>());
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await host.PublishStepAsync($"s{i}"));
        }

        host.Start();
        await host.WaitUntilAsync(() => host.Recorded.Count == 5, "every outcome is recorded");

        foreach (var id in ids)
        {
            var details = await host.GetAsync(id);
            details.Event.Status.Should().Be(EventStatus.Failed);
            details.Log.Should().Contain(l => l.Handler == nameof(StepHandler) && l.Result == EventLogResult.Success, "the other handler of the event ran");
            details.Log.Should().Contain(l => l.Handler == nameof(UnbuildableHandler) && l.Result == EventLogResult.Failure && l.Error!.Contains("cannot be built"));
        }

        host.Run.IsCompleted.Should().BeFalse("the loop is unharmed");
    }

    [EventType("fragile.thing", Entity = "thing")]
    public sealed record Fragile([property: EntityId] string Name, [property: JsonConverter(typeof(PickyConverter))] string Value);

    /// <summary>A custom converter that refuses one value with an exception System.Text.Json does not wrap.</summary>
    public sealed class PickyConverter : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = reader.GetString()!;
            return value == "poison" ? throw new FormatException($"'{value}' is not a valid value.") : value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    public sealed class FragileHandler : IEventHandler<Fragile>
    {
        public static ConcurrentBag<string> Handled { get; } = [];

        public Task HandleAsync(EventContext<Fragile> context, CancellationToken cancellationToken)
        {
            Handled.Add(context.Payload.Name);
            return Task.CompletedTask;
        }
    }

    /// <summary>A scoped resource, like a DbContext, whose disposal can fail.</summary>
    public sealed class Resource : IAsyncDisposable
    {
        public bool Explode { get; set; }

        public ValueTask DisposeAsync() => Explode ? throw new IOException("The resource broke while closing.") : ValueTask.CompletedTask;
    }

    public sealed class ResourceHandler(Resource resource) : IEventHandler<Fragile>
    {
        public Task HandleAsync(EventContext<Fragile> context, CancellationToken cancellationToken)
        {
            resource.Explode = context.Payload.Value == "explode";
            return Task.CompletedTask;
        }
    }

    public sealed class UnbuildableHandler : IEventHandler<Step>
    {
        public UnbuildableHandler(Resource resource) => throw new InvalidOperationException($"This handler cannot be built ({resource.GetType().Name}).");

        public Task HandleAsync(EventContext<Step> context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
