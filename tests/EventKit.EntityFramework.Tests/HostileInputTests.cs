using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using EventKit.Testing;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace EventKit.EntityFramework.Tests;

/// <summary>Captures every log entry (all levels, all categories).</summary>
public sealed class ProbeLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ProbeLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception) + (exception is null ? "" : " | " + exception)));
    }
}

/// <summary>
/// Hostile input and operations against the README's promises, on each real database: bad input fails at the call
/// naming the argument, stores nothing, and never surfaces in the application's SaveChanges.
/// </summary>
public abstract class HostileInputTests<TContext>(ITestDatabase database, ITestOutputHelper output) : DatabaseTests(database)
    where TContext : TestDbContext
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private readonly ProbeLogs _logs = new();
    private EventKitHarness? _harness;

    protected ITestOutputHelper Output => output;

    private EventKitHarness Harness => _harness!;

    private IEventOperations Ops => Harness.Operations;

    private ProbeSink Sink => Harness.Services.GetRequiredService<ProbeSink>();

    protected override async Task SetUpAsync()
    {
        _harness = await CreateHarnessAsync(b => b.AddHandler<ProbeThingHandler>().AddHandler<ProbeRawHandler>());
    }

    private async Task<EventKitHarness> CreateHarnessAsync(Action<IEventKitBuilder> handlers)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<ProbeSink>();
        services.AddDbContext<TContext>(Database.Use);
        handlers(services.AddEventKit(o => o.CleanupBatchSize = 3).UseEntityFramework<TContext>());
        var harness = EventKitHarness.Create(services);
        await harness.RunInScopeAsync(sp => sp.GetRequiredService<TContext>().Database.MigrateAsync());
        return harness;
    }

    protected override async Task TearDownAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    // ---------------------------------------------------------------- publishing

    /// <summary>README: bad input throws at the call (ArgumentException naming the argument) and stores nothing.</summary>
    [SkippableFact]
    public async Task Publish_HostileArguments_ThrowAtTheCall_NamingTheArgument_AndSaveChangesStillSucceeds()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var n200 = new string('a', 201);
        var cases = new List<(string Name, Func<IEventPublisher, ValueTask> Publish, string Param)>
        {
            ("type null", p => Discard(p.PublishAsync(null!, "e", "1", new { })), "type"),
            ("type empty", p => Discard(p.PublishAsync("", "e", "1", new { })), "type"),
            ("type blank", p => Discard(p.PublishAsync("   ", "e", "1", new { })), "type"),
            ("type upper", p => Discard(p.PublishAsync("User.Created", "e", "1", new { })), "type"),
            ("type NUL", p => Discard(p.PublishAsync("a\0b", "e", "1", new { })), "type"),
            ("type surrogate", p => Discard(p.PublishAsync("a\uD800", "e", "1", new { })), "type"),
            ("type 201", p => Discard(p.PublishAsync(n200, "e", "1", new { })), "type"),
            ("entity null", p => Discard(p.PublishAsync("t.x", null!, "1", new { })), "entity"),
            ("entity blank", p => Discard(p.PublishAsync("t.x", " \t", "1", new { })), "entity"),
            ("entity NUL", p => Discard(p.PublishAsync("t.x", "\0", "1", new { })), "entity"),
            ("entity high surrogate", p => Discard(p.PublishAsync("t.x", "x\uD800", "1", new { })), "entity"),
            ("entity low surrogate", p => Discard(p.PublishAsync("t.x", "x\uDC00y", "1", new { })), "entity"),
            ("entity 101", p => Discard(p.PublishAsync("t.x", new string('e', 101), "1", new { })), "entity"),
            ("entityId NUL", p => Discard(p.PublishAsync("t.x", "e", "1\0", new { })), "entityId"),
            ("entityId surrogate", p => Discard(p.PublishAsync("t.x", "e", "\uDFFF", new { })), "entityId"),
            ("entityId 201", p => Discard(p.PublishAsync("t.x", "e", n200, new { })), "entityId"),
            ("entityId blank", p => Discard(p.PublishAsync("t.x", "e", "\u2003", new { })), "entityId"),
            ("payload null", p => Discard(p.PublishAsync("t.x", "e", "1", null!)), "payload"),
            ("actor NUL", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { Actor = "a\0" })), "options.Actor"),
            ("actor surrogate", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { Actor = "\uD83D" })), "options.Actor"),
            ("actor 201", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { Actor = n200 })), "options.Actor"),
            ("actor blank", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { Actor = "" })), "options.Actor"),
            ("correlation NUL", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { CorrelationId = "\0" })), "options.CorrelationId"),
            ("correlation 201", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { CorrelationId = n200 })), "options.CorrelationId"),
            ("idem NUL", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { IdempotencyKey = "k\0" })), "options.IdempotencyKey"),
            ("idem surrogate", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { IdempotencyKey = "k\uDC00" })), "options.IdempotencyKey"),
            ("idem 201", p => Discard(p.PublishAsync("t.x", "e", "1", new { }, new PublishOptions { IdempotencyKey = n200 })), "options.IdempotencyKey"),
            ("typed [EntityId] NUL", p => Discard(p.PublishAsync(new ProbeThing("a\0", "x"))), "payload"),
            ("typed [EntityId] surrogate", p => Discard(p.PublishAsync(new ProbeThing("\uD800", "x"))), "payload"),
            ("typed [EntityId] 201", p => Discard(p.PublishAsync(new ProbeThing(n200, "x"))), "payload"),
            ("typed [EntityId] blank", p => Discard(p.PublishAsync(new ProbeThing(" ", "x"))), "payload"),
            ("typed entityId arg NUL", p => Discard(p.PublishAsync(new ProbeThing("ok", "x"), "\0")), "entityId"),
            ("typed options actor NUL", p => Discard(p.PublishAsync(new ProbeThing("ok", "x"), new PublishOptions { Actor = "\0" })), "options.Actor"),
            ("many: one bad id", p => Discard(p.PublishManyAsync([new ProbeThing("ok", "x"), new ProbeThing("b\0d", "x")])), "payloads"),
            ("many: null item", p => Discard(p.PublishManyAsync([new ProbeThing("ok", "x"), null!])), "payloads"),
            ("many: idempotency key", p => Discard(p.PublishManyAsync([new ProbeThing("ok", "x")], new PublishOptions { IdempotencyKey = "k" })), "options"),
            ("payload over MaxPayloadSize", p => Discard(p.PublishAsync(new ProbeThing("big", new string('\u20AC', 350_000)))), "payload"),
            ("many: payload over MaxPayloadSize", p => Discard(p.PublishManyAsync([new ProbeThing("big", new string('\u20AC', 350_000))])), "payloads"),
            ("many: actor NUL", p => Discard(p.PublishManyAsync([new ProbeThing("ok", "x")], new PublishOptions { Actor = "\0" })), "options.Actor"),
        };

        var failures = new List<string>();
        foreach (var (name, publish, param) in cases)
        {
            var (publishError, saveError) = await PublishAndSaveAsync(publish);
            if (publishError is not ArgumentException ae)
            {
                failures.Add($"{name}: publish threw {publishError?.GetType().Name ?? "nothing"}: {publishError?.Message}");
            }
            else if (ae.ParamName != param)
            {
                failures.Add($"{name}: ParamName '{ae.ParamName}', expected '{param}' ({ae.Message})");
            }

            if (saveError is not null)
            {
                failures.Add($"{name}: SaveChanges failed: {saveError.GetType().Name}: {saveError.InnerException?.Message ?? saveError.Message}");
            }
        }

        failures.ForEach(Output.WriteLine);
        (await CountEventsAsync()).Should().Be(0, "no bad publish stores anything");
        failures.Should().BeEmpty();
    }

    /// <summary>README "Any other Unicode text is stored and returned exactly" (the edges of what is allowed).</summary>
    [SkippableFact]
    public async Task Publish_AllowedUnicodeAtTheLengthLimits_IsStoredAndReturnedExactly()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var entity = string.Concat(Enumerable.Repeat("\U0001F600", 50)); // 100 UTF-16 units, 50 code points
        var entityId = "\uFFFE\uFFFF\u200B a\u0301 \U0010FFFF " + new string('z', 183);
        var actor = "  leading and trailing spaces  ";
        var key = "K\u00E9y-\uFEFF-" + string.Concat(Enumerable.Repeat("\U0001F4A9", 90));
        Guid id = default;
        var (publishError, saveError) = await PublishAndSaveAsync(async p =>
            id = await p.PublishAsync("probe.other", entity, entityId, new { v = 1 }, new PublishOptions { Actor = actor, CorrelationId = entityId, IdempotencyKey = key }));
        publishError.Should().BeNull();
        saveError.Should().BeNull();
        var stored = (await Ops.GetEventAsync(id))!.Event;
        stored.Entity.Should().Be(entity);
        stored.EntityId.Should().Be(entityId);
        stored.Actor.Should().Be(actor);
        stored.CorrelationId.Should().Be(entityId);
        stored.IdempotencyKey.Should().Be(key);
    }

    /// <summary>README: payloads come back byte for byte; a NUL in a string (\u0000 in JSON) is stored on PostgreSQL too.</summary>
    [SkippableFact]
    public async Task Publish_PayloadWithNulAndUnusualUnicode_RoundTripsExactly_AndReachesTheHandler()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var payload = new ProbeThing("nul", "a\0b\u0001\uFFFF\U0001F600\"\\</script>");
        Guid id = default;
        var (publishError, saveError) = await PublishAndSaveAsync(async p => id = await p.PublishAsync(payload));
        publishError.Should().BeNull();
        saveError.Should().BeNull();
        (await Ops.GetEventAsync(id))!.Event.Payload.Should().Be(JsonSerializer.Serialize(payload, Web));
        await Harness.DrainAsync();
        Sink.Seen.Should().ContainSingle().Which.Should().Be(payload);
    }

    /// <summary>
    /// The project's rule (and README 172-176, IEventPublisher docs "the payload cannot be serialized"): a payload no
    /// store can hold fails at the call, never as a PostgreSQL-only refusal in the application's SaveChanges. A
    /// converter that writes raw JSON without validation produces text that is not JSON.
    /// </summary>
    [SkippableFact]
    public async Task Publish_PayloadWhoseJsonIsInvalid_FailsAtTheCall_NotInSaveChanges()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var (publishError, saveError) = await PublishAndSaveAsync(p => Discard(p.PublishAsync(new ProbeRaw("r1", "{not json"))));
        Output.WriteLine($"publish: {publishError?.GetType().Name} {publishError?.Message}");
        Output.WriteLine($"save: {saveError?.GetType().Name} {saveError?.InnerException?.Message ?? saveError?.Message}");
        saveError.Should().BeNull("the application's SaveChanges must not fail because of an event's payload");
        publishError.Should().BeOfType<ArgumentException>().Which.ParamName.Should().Be("payload");
    }

    /// <summary>
    /// The publisher's trace context is stored with the event (README). An incoming request with a legacy
    /// hierarchical Request-Id (any length up to 1024) makes Activity.Current.Id long; the trace_parent column is
    /// varchar(100). The application's SaveChanges must not fail for it.
    /// </summary>
    [SkippableFact]
    public async Task Publish_UnderAnActivityWithALongHierarchicalId_SaveChangesSucceeds()
    {
        Skip.If(SkipReason is not null, SkipReason);
        using var incoming = new Activity("incoming request");
        incoming.SetParentId("|" + new string('f', 150) + ".");
        incoming.Start();
        Output.WriteLine($"Activity.Current.Id length {Activity.Current!.Id!.Length}, format {Activity.Current.IdFormat}");
        Activity.Current.Id!.Length.Should().BeGreaterThan(100, "precondition");

        Guid id = default;
        var (publishError, saveError) = await PublishAndSaveAsync(async p => id = await p.PublishAsync(new ProbeThing("t1", "x")));
        incoming.Stop();
        Output.WriteLine($"save: {saveError?.GetType().Name} {saveError?.InnerException?.Message ?? saveError?.Message}");
        publishError.Should().BeNull();
        saveError.Should().BeNull("a long trace id from an HTTP header must not fail the application's SaveChanges");
        (await Ops.GetEventAsync(id)).Should().NotBeNull();
    }

    /// <summary>README: extreme AvailableAt values; the event is stored, never runs early, and operations keep working.</summary>
    [SkippableFact]
    public async Task Publish_AvailableAtMaxValue_IsStoredAsDelayed_AndNothingBreaks()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Guid id = default;
        var (publishError, saveError) = await PublishAndSaveAsync(async p =>
            id = await p.PublishAsync(new ProbeThing("late", "x"), new PublishOptions { AvailableAt = DateTimeOffset.MaxValue }));
        publishError.Should().BeNull();
        saveError.Should().BeNull();
        var stored = (await Ops.GetEventAsync(id))!.Event;
        stored.Status.Should().Be(EventStatus.Pending);
        stored.AvailableAt.Should().Be(DateTimeOffset.MaxValue);
        (await Harness.DrainAsync()).Processed.Should().Be(0);
        (await Ops.GetOldestPendingAgeAsync()).Should().BeNull();
        (await Ops.GetMetricsAsync()).Pending.Should().Be(1);
        (await Ops.GetEventsAsync(new EventFilter { Status = EventStatus.Pending })).Events.Should().ContainSingle();
        (await Ops.CancelAsync(id, "ops", "never mind")).Should().BeTrue();
    }

    /// <summary>
    /// README (a cancelled event is never handled) and 520-522 (DrainUntilIdleAsync throws listing each *waiting*
    /// event): a cancelled delayed event is not waiting, so the harness must neither throw for it nor move its clock to it.
    /// </summary>
    [SkippableFact]
    public async Task Harness_DrainUntilIdle_AfterCancellingADelayedEvent_DoesNotWaitForIt()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Guid far = default, near = default;
        var start = Harness.Time.GetUtcNow();
        await PublishAndSaveAsync(async p =>
        {
            far = await p.PublishAsync(new ProbeThing("far", "x"), new PublishOptions { AvailableAt = start.AddDays(30) });
            near = await p.PublishAsync(new ProbeThing("near", "x"), new PublishOptions { AvailableAt = start.AddHours(5) });
        });
        (await Ops.CancelAsync(far, "ops", "withdrawn")).Should().BeTrue();
        (await Ops.CancelAsync(near, "ops", "withdrawn")).Should().BeTrue();
        Exception? error = null;
        try
        {
            await Harness.DrainUntilIdleAsync();
        }
        catch (Exception ex)
        {
            error = ex;
        }

        Output.WriteLine($"{error?.GetType().Name}: {error?.Message}");
        Output.WriteLine($"clock moved by {Harness.Time.GetUtcNow() - start}");
        error.Should().BeNull("nothing is waiting: both events are cancelled");
        (Harness.Time.GetUtcNow() - start).Should().Be(TimeSpan.Zero, "no event is due later");
    }

    /// <summary>
    /// A JsonElement payload (the documented untyped way, AddHandler&lt;THandler, TPayload&gt;) holding an escaped
    /// unpaired surrogate. Its JSON text is plain ASCII, so it passes the publisher's text check; PostgreSQL's json
    /// type refuses it. It must fail at the call (or be stored) on every store alike, never in SaveChanges.
    /// </summary>
    [SkippableFact]
    public async Task Publish_JsonElementPayloadWithEscapedLoneSurrogate_FailsAtTheCallOrIsStored_SameOnEveryStore()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var element = JsonDocument.Parse("{\"id\":\"s1\",\"text\":\"\\uD800\"}").RootElement;
        var (publishError, saveError) = await PublishAndSaveAsync(p => Discard(p.PublishAsync("probe.thing", "thing", "s1", element)));
        Output.WriteLine($"publish: {publishError?.GetType().Name} {publishError?.Message}");
        Output.WriteLine($"save: {saveError?.GetType().Name} {saveError?.InnerException?.Message ?? saveError?.Message}");
        saveError.Should().BeNull("the application's SaveChanges must not fail because of an event's payload");
    }

    /// <summary>README for ReplayAsync's handler: a NUL in the name, for an existing completed event of a type this instance has no handler for.</summary>
    [SkippableFact]
    public async Task Operations_ReplayWithANulHandlerName_OnAnExistingEvent_ThrowsArgumentException()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Guid id = default;
        await PublishAndSaveAsync(async p => id = await p.PublishAsync("probe.unhandled", "thing", "u1", new { v = 1 }));
        await Harness.DrainAsync();
        (await Ops.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.Completed);
        var failures = new List<string>();
        foreach (var handler in new[] { "h\0x", "h\uD800x" })
        {
            try
            {
                var replayed = await Ops.ReplayAsync(id, handler, "ops", "r");
                var details = (await Ops.GetEventAsync(id))!;
                failures.Add($"{Escape(handler)}: returned {replayed}; log handler names: {string.Join(", ", details.Log.Select(l => Escape(l.Handler)))}");
            }
            catch (ArgumentException ex) when (ex.ParamName == "handler")
            {
            }
            catch (Exception ex)
            {
                failures.Add($"{Escape(handler)}: {ex.GetType().FullName}: {ex.Message.Split('\n')[0]}");
            }
        }

        failures.ForEach(Output.WriteLine);
        failures.Should().BeEmpty();
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < ' ' || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));

    [SkippableFact]
    public async Task Publish_AvailableAtMinValue_AndNonUtcOffsets_AreStoredAsTheSameInstant()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var now = Harness.Time.GetUtcNow();
        var plus14 = new DateTimeOffset(now.UtcDateTime.AddHours(3), TimeSpan.Zero).ToOffset(TimeSpan.FromHours(14));
        var minus12 = new DateTimeOffset(now.UtcDateTime.AddHours(2), TimeSpan.Zero).ToOffset(TimeSpan.FromHours(-12));
        Guid a = default, b = default, c = default;
        var (publishError, saveError) = await PublishAndSaveAsync(async p =>
        {
            a = await p.PublishAsync(new ProbeThing("a", "x"), new PublishOptions { AvailableAt = DateTimeOffset.MinValue });
            b = await p.PublishAsync(new ProbeThing("b", "x"), new PublishOptions { AvailableAt = plus14 });
            c = await p.PublishAsync(new ProbeThing("c", "x"), new PublishOptions { AvailableAt = minus12 });
        });
        publishError.Should().BeNull();
        saveError.Should().BeNull();
        (await Ops.GetEventAsync(a))!.Event.AvailableAt.Should().Be(now);
        (await Ops.GetEventAsync(b))!.Event.AvailableAt.UtcTicks.Should().Be(plus14.UtcTicks);
        (await Ops.GetEventAsync(c))!.Event.AvailableAt.UtcTicks.Should().Be(minus12.UtcTicks);
        (await Harness.DrainAsync()).Processed.Should().Be(1, "only the MinValue one is due");
    }

    /// <summary>
    /// Delayed events are never handled before their AvailableAt. An AvailableAt with sub-microsecond ticks
    /// (DateTimeOffset has 100 ns ticks, PostgreSQL microseconds) is stored rounded up, the same on every store.
    /// </summary>
    [SkippableFact]
    public async Task Publish_AvailableAtWithSubMicrosecondTicks_IsRoundedUp_AndNeverRunsEarly()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var at = Harness.Time.GetUtcNow() + TimeSpan.FromHours(1) + TimeSpan.FromTicks(7);
        Guid id = default;
        await PublishAndSaveAsync(async p => id = await p.PublishAsync(new ProbeThing("sub", "x"), new PublishOptions { AvailableAt = at }));
        var storedAt = (await Ops.GetEventAsync(id))!.Event.AvailableAt;
        Harness.Time.SetUtcNow(at);
        var ranAt = (await Harness.DrainAsync()).Processed;
        Harness.Time.SetUtcNow(storedAt);
        var ranAtStored = (await Harness.DrainAsync()).Processed;

        storedAt.Should().Be(at - TimeSpan.FromTicks(7) + TimeSpan.FromMicroseconds(1));
        ranAt.Should().Be(0, "at AvailableAt itself the stored, rounded-up time has not come");
        ranAtStored.Should().Be(1);
    }

    /// <summary>The timeline of a range that reaches DateTimeOffset.MaxValue answers: its last bucket ends there.</summary>
    [SkippableFact]
    public async Task Operations_TimelineEndingAtMaxValue_Answers()
    {
        Skip.If(SkipReason is not null, SkipReason);

        var buckets = await Ops.GetTimelineAsync(DateTimeOffset.MaxValue.AddHours(-1), DateTimeOffset.MaxValue, EventTimelineInterval.Day);

        buckets.Should().ContainSingle().Which.Created.Should().Be(0);
    }

    // ---------------------------------------------------------------- operations: input validation

    /// <summary>README: IEventOperations rejects bad input at the call with an ArgumentException naming the argument and the allowed values.</summary>
    [SkippableFact]
    public async Task Operations_HostileArguments_ThrowArgumentException_NamingTheArgument()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var id = Guid.NewGuid();
        var cases = new List<(string Name, Func<Task> Call, string Param)>
        {
            ("requeue actor blank", () => Ops.RequeueAsync(id, " ", "r"), "actor"),
            ("requeue actor null", () => Ops.RequeueAsync(id, null!, "r"), "actor"),
            ("requeue actor NUL", () => Ops.RequeueAsync(id, "a\0", "r"), "actor"),
            ("requeue reason NUL", () => Ops.RequeueAsync(id, "a", "r\0"), "reason"),
            ("requeue reason surrogate", () => Ops.RequeueAsync(id, "a", "r\uD800"), "reason"),
            ("requeue reason 2001", () => Ops.RequeueAsync(id, "a", new string('r', 2001)), "reason"),
            ("cancel actor 201", () => Ops.CancelAsync(id, new string('a', 201), "r"), "actor"),
            ("cancel reason empty", () => Ops.CancelAsync(id, "a", ""), "reason"),
            ("replay handler blank", () => Ops.ReplayAsync(id, " ", "a", "r"), "handler"),
            ("replay handler *", () => Ops.ReplayAsync(id, "*", "a", "r"), "handler"),
            ("replay handler NUL (unknown id)", () => Ops.ReplayAsync(id, "h\0", "a", "r"), "handler"),
            ("replay handler surrogate (unknown id)", () => Ops.ReplayAsync(id, "h\uDC00", "a", "r"), "handler"),
            ("replay actor NUL", () => Ops.ReplayAsync(id, null, "\0", "r"), "actor"),
            ("pause type bad", () => Ops.PauseAsync("Bad Type", "a", "r"), "type"),
            ("pause type NUL", () => Ops.PauseAsync("a\0", "a", "r"), "type"),
            ("pause reason NUL", () => Ops.PauseAsync("t.x", "a", "\0"), "reason"),
            ("resume type bad", () => Ops.ResumeAsync("", "a"), "type"),
            ("resume actor NUL", () => Ops.ResumeAsync("t.x", "\0"), "actor"),
            ("requeueMatching null filter", () => Ops.RequeueMatchingAsync(null!, "a", "r"), "filter"),
            ("requeueMatching status completed", () => Ops.RequeueMatchingAsync(new EventFilter { Status = EventStatus.Completed }, "a", "r"), "filter"),
            ("requeueMatching status undefined", () => Ops.RequeueMatchingAsync(new EventFilter { Status = (EventStatus)99 }, "a", "r"), "filter"),
            ("requeueMatching entity NUL", () => Ops.RequeueMatchingAsync(new EventFilter { Entity = "\0" }, "a", "r"), "filter"),
            ("requeueMatching entityId without entity", () => Ops.RequeueMatchingAsync(new EventFilter { EntityId = "1" }, "a", "r"), "filter"),
            ("requeueMatching type bad", () => Ops.RequeueMatchingAsync(new EventFilter { Type = "A B" }, "a", "r"), "filter"),
            ("requeueMatching range inverted", () => Ops.RequeueMatchingAsync(new EventFilter { CreatedFrom = DateTimeOffset.MaxValue, CreatedBefore = DateTimeOffset.MinValue }, "a", "r"), "filter"),
            ("purge empty filter", () => Ops.PurgeAsync(new EventFilter(), "a", "r"), "filter"),
            ("purge processing", () => Ops.PurgeAsync(new EventFilter { Status = EventStatus.Processing }, "a", "r"), "filter"),
            ("purge entityId surrogate", () => Ops.PurgeAsync(new EventFilter { Entity = "e", EntityId = "\uD800" }, "a", "r"), "filter"),
            ("getEvents page 0", () => Ops.GetEventsAsync(pageSize: 0), "pageSize"),
            ("getEvents page 1001", () => Ops.GetEventsAsync(pageSize: 1001), "pageSize"),
            ("getEvents order undefined", () => Ops.GetEventsAsync(order: (EventOrder)7), "order"),
            ("getEvents token garbage", () => Ops.GetEventsAsync(continuationToken: "%%%"), "continuationToken"),
            ("getEvents token 1 char", () => Ops.GetEventsAsync(continuationToken: "a"), "continuationToken"),
            ("getEvents token empty", () => Ops.GetEventsAsync(continuationToken: ""), "continuationToken"),
            ("deadLetters limit 0", () => Ops.GetDeadLettersAsync(limit: 0), "limit"),
            ("deadLetters type NUL", () => Ops.GetDeadLettersAsync("a\0b"), "type"),
            ("deadLetters type surrogate", () => Ops.GetDeadLettersAsync("a\uD800"), "type"),
            ("countsByType inverted", () => Ops.GetCountsByTypeAsync(DateTimeOffset.MaxValue, DateTimeOffset.MinValue), "until"),
            ("timeline interval undefined", () => Ops.GetTimelineAsync(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), (EventTimelineInterval)9), "interval"),
            ("timeline too many buckets", () => Ops.GetTimelineAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, EventTimelineInterval.Minute), "before"),
            ("typeStats empty range", () => Ops.GetTypeStatisticsAsync(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), "before"),
        };

        var failures = new List<string>();
        foreach (var (name, call, param) in cases)
        {
            try
            {
                await call();
                failures.Add($"{name}: no exception");
            }
            catch (ArgumentException ex) when (ex.ParamName == param)
            {
            }
            catch (Exception ex)
            {
                failures.Add($"{name}: {ex.GetType().FullName} ParamName={(ex as ArgumentException)?.ParamName}: {ex.Message.Split('\n')[0]}");
            }
        }

        failures.ForEach(Output.WriteLine);
        (await CountEventsAsync()).Should().Be(0);
        failures.Should().BeEmpty();
    }

    /// <summary>Whole-range queries with DateTimeOffset.MinValue/MaxValue are valid input and must answer.</summary>
    [SkippableFact]
    public async Task Operations_QueriesOverTheWholeDateRange_Answer()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await PublishAndSaveAsync(p => Discard(p.PublishAsync(new ProbeThing("q", "x"))));
        await Harness.DrainAsync();
        var failures = new List<string>();
        async Task Try(string name, Func<Task> call)
        {
            try
            {
                await call();
            }
            catch (Exception ex)
            {
                failures.Add($"{name}: {ex.GetType().FullName}: {ex.Message.Split('\n')[0]}");
            }
        }

        await Try("countsByType", async () => (await Ops.GetCountsByTypeAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Should().ContainSingle());
        await Try("typeStats", async () => (await Ops.GetTypeStatisticsAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Should().ContainSingle());
        await Try("handlerStats", async () => (await Ops.GetHandlerStatisticsAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue)).Should().ContainSingle());
        await Try("events in range", async () => (await Ops.GetEventsAsync(new EventFilter { CreatedFrom = DateTimeOffset.MinValue, CreatedBefore = DateTimeOffset.MaxValue })).Events.Should().ContainSingle());
        await Try("timeline at MinValue", async () => (await Ops.GetTimelineAsync(DateTimeOffset.MinValue, DateTimeOffset.MinValue.AddHours(1), EventTimelineInterval.Minute)).Should().HaveCount(60));
        await Try("requeueMatching whole range", async () => (await Ops.RequeueMatchingAsync(new EventFilter { CreatedFrom = DateTimeOffset.MinValue, CreatedBefore = DateTimeOffset.MaxValue }, "a", "r")).Should().Be(0));
        failures.Should().BeEmpty();
    }

    // ---------------------------------------------------------------- operations: states

    /// <summary>README: an unknown id, or an event in a status the action does not apply to, gives false (or 0).</summary>
    [SkippableFact]
    public async Task Operations_UnknownIdsAndWrongStatuses_GiveFalse_AndChangeNothing()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Guid completed = default, pending = default;
        await PublishAndSaveAsync(async p => completed = await p.PublishAsync(new ProbeThing("c", "x")));
        await Harness.DrainAsync();
        await PublishAndSaveAsync(async p => pending = await p.PublishAsync(new ProbeThing("p", "x"), new PublishOptions { AvailableAt = Harness.Time.GetUtcNow().AddDays(1) }));

        var unknown = Guid.NewGuid();
        (await Ops.RequeueAsync(unknown, "a", "r")).Should().BeFalse();
        (await Ops.CancelAsync(unknown, "a", "r")).Should().BeFalse();
        (await Ops.ReplayAsync(unknown, null, "a", "r")).Should().BeFalse();
        (await Ops.ReplayAsync(unknown, nameof(ProbeThingHandler), "a", "r")).Should().BeFalse();
        (await Ops.RequeueAsync(Guid.Empty, "a", "r")).Should().BeFalse();
        (await Ops.RequeueAsync(completed, "a", "r")).Should().BeFalse();
        (await Ops.CancelAsync(completed, "a", "r")).Should().BeFalse();
        (await Ops.ReplayAsync(pending, null, "a", "r")).Should().BeFalse();
        (await Ops.RequeueAsync(pending, "a", "r")).Should().BeFalse();
        (await Ops.ResumeAsync("never.paused", "a")).Should().BeFalse();
        (await Ops.PurgeAsync(new EventFilter { Type = "no.such" }, "a", "r")).Should().Be(0);
        (await Ops.RequeueMatchingAsync(new EventFilter { Type = "probe.thing" }, "a", "r")).Should().Be(0);

        (await Ops.GetEventAsync(completed))!.Log.Should().OnlyContain(l => l.Kind == EventLogKind.HandlerRun);
        (await Ops.GetEventAsync(pending))!.Log.Should().BeEmpty();
        (await Ops.CancelAsync(pending, "a", "r")).Should().BeTrue();
        (await Ops.CancelAsync(pending, "a", "r")).Should().BeFalse("already cancelled");
        (await Ops.RequeueAsync(pending, "a", "r")).Should().BeFalse("cancelled is not requeueable");
        (await Ops.ReplayAsync(completed, nameof(ProbeThingHandler), "a", "r")).Should().BeTrue();
        (await Ops.ReplayAsync(completed, nameof(ProbeThingHandler), "a", "r")).Should().BeFalse("already pending again");
        (await Ops.GetEventAsync(pending))!.Log.Should().ContainSingle(l => l.Kind == EventLogKind.Cancel);
    }

    /// <summary>README: an event being processed is left to its processor by requeue, cancel, replay and purge.</summary>
    [SkippableFact]
    public async Task Operations_OnAnEventBeingProcessed_ChangeNothing()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Guid id = default;
        await PublishAndSaveAsync(async p => id = await p.PublishAsync(new ProbeThing("run", "block")));
        var drain = Task.Run(() => Harness.DrainAsync());
        await Sink.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            (await Ops.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.Processing);
            (await Ops.CancelAsync(id, "a", "r")).Should().BeFalse();
            (await Ops.RequeueAsync(id, "a", "r")).Should().BeFalse();
            (await Ops.ReplayAsync(id, null, "a", "r")).Should().BeFalse();
            (await Ops.PurgeAsync(new EventFilter { Type = "probe.thing" }, "a", "r")).Should().Be(0);
            (await Ops.PurgeAsync(new EventFilter { Entity = "thing", EntityId = "run" }, "a", "r")).Should().Be(0);
            (await Ops.RequeueMatchingAsync(new EventFilter { Type = "probe.thing" }, "a", "r")).Should().Be(0);
        }
        finally
        {
            Sink.Release.TrySetResult();
        }

        (await drain).Completed.Should().Be(1);
        var details = (await Ops.GetEventAsync(id))!;
        details.Event.Status.Should().Be(EventStatus.Completed);
        details.Log.Should().OnlyContain(l => l.Kind == EventLogKind.HandlerRun);
    }

    /// <summary>Two operators requeue the same dead letter at once: one wins, the log shows one requeue, the handler runs once more.</summary>
    [SkippableFact]
    public async Task Operations_ConcurrentDoubleRequeue_RequeuesOnce()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Guid id = default;
        await PublishAndSaveAsync(async p => id = await p.PublishAsync(new ProbeThing("dl", "die")));
        await Harness.DrainAsync();
        (await Ops.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.DeadLetter);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
            i % 2 == 0
                ? await Ops.RequeueAsync(id, "ops" + i, "fix")
                : await Ops.RequeueMatchingAsync(new EventFilter { Type = "probe.thing", Status = EventStatus.DeadLetter }, "ops" + i, "fix") > 0)));
        results.Count(r => r).Should().Be(1);
        var details = (await Ops.GetEventAsync(id))!;
        details.Log.Count(l => l.Kind == EventLogKind.Requeue).Should().Be(1);
        details.Event.Status.Should().Be(EventStatus.Pending);
    }

    /// <summary>README: RequeueMatchingAsync works in batches of CleanupBatchSize (here 3) and does them all.</summary>
    [SkippableFact]
    public async Task Operations_RequeueMatching_MoreThanOneBatch_RequeuesAll_AndPurgeDeletesAll()
    {
        Skip.If(SkipReason is not null, SkipReason);
        await PublishAndSaveAsync(p => Discard(p.PublishManyAsync(Enumerable.Range(0, 10).Select(i => new ProbeThing("m" + i, "die")))));
        (await Harness.DrainAsync()).DeadLettered.Should().Be(10);
        (await Ops.RequeueMatchingAsync(new EventFilter { Status = EventStatus.DeadLetter }, "a", "r")).Should().Be(10);
        (await Ops.GetMetricsAsync()).Pending.Should().Be(10);
        (await Ops.PurgeAsync(new EventFilter { Type = "probe.thing" }, "a", "r")).Should().Be(10);
        (await CountEventsAsync()).Should().Be(0);
    }

    // ---------------------------------------------------------------- handler names and logs

    /// <summary>
    /// A handler's name is its class name by default, and a name is at most 200 characters (the event log's column): a
    /// longer class name is refused at AddHandler, naming the option that fixes it, and works with that option set.
    /// </summary>
    [SkippableFact]
    public async Task Handler_WithAClassNameLongerThan200_IsRefusedAtRegistration_AndWorksWithAName()
    {
        Skip.If(SkipReason is not null, SkipReason);

        var refused = () => CreateHarnessAsync(b => b.AddHandler<ProbeThingHandler>().AddHandler<ProbeLongXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX>());
        (await refused.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("EventHandlerOptions.Name").And.Contain("200");

        var harness = await CreateHarnessAsync(b => b.AddHandler<ProbeThingHandler>().AddHandler<ProbeLongXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX>(o => o.Name = "long-named"));
        await using (harness)
        {
            Guid id = default;
            await harness.RunInScopeAsync(async sp =>
            {
                id = await sp.GetRequiredService<IEventPublisher>().PublishAsync(new ProbeThing("long2", "fail-once"));
                await sp.GetRequiredService<TContext>().SaveChangesAsync();
            });
            await harness.DrainUntilIdleAsync();

            (await harness.Operations.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.Completed);
            harness.Services.GetRequiredService<ProbeSink>().LongRuns.Should().Be(1, "the named handler succeeded in attempt 1 and is not run again when the other one is retried");
        }
    }

    /// <summary>
    /// README: a failed run's error is the exception's full text, at most 2,000 characters, with NUL and
    /// unpaired surrogates replaced by U+FFFD "so every store can hold it" (not replaced by a fallback note).
    /// </summary>
    [SkippableFact]
    public async Task HandlerError_WithNulAndLoneSurrogates_IsStoredSanitized_NotReplaced()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Guid id = default;
        await PublishAndSaveAsync(async p => id = await p.PublishAsync(new ProbeThing("err", "throw-hostile")));
        await Harness.DrainAsync();
        var details = (await Ops.GetEventAsync(id))!;
        details.Event.Status.Should().Be(EventStatus.Failed);
        var error = details.Log.Single().Error!;
        Output.WriteLine($"{error.Length}: {error[..Math.Min(120, error.Length)]}");
        error.Length.Should().BeLessThanOrEqualTo(2000);
        error.Should().StartWith("System.InvalidOperationException: bad\uFFFDnul \uFFFD lone \uFFFD low \U0001F600 pair");
        details.Event.LastError.Should().StartWith("System.InvalidOperationException: bad\uFFFDnul");
    }

    /// <summary>Dead letters: only requeue and purge apply (README); replay and cancel give false.</summary>
    [SkippableFact]
    public async Task Operations_OnADeadLetter_ReplayAndCancelGiveFalse()
    {
        Skip.If(SkipReason is not null, SkipReason);
        Guid id = default;
        await PublishAndSaveAsync(async p => id = await p.PublishAsync(new ProbeThing("dl2", "die")));
        await Harness.DrainAsync();
        (await Ops.ReplayAsync(id, null, "a", "r")).Should().BeFalse();
        (await Ops.CancelAsync(id, "a", "r")).Should().BeFalse();
        (await Ops.GetEventAsync(id))!.Event.Status.Should().Be(EventStatus.DeadLetter);
    }

    /// <summary>README: payloads are never logged; a purge's reason only at Debug.</summary>
    [SkippableFact]
    public async Task Logs_AboveDebug_NeverHoldPayloadsOrPurgeReasons()
    {
        Skip.If(SkipReason is not null, SkipReason);
        const string Marker = "PAYLOAD-MARKER-7f3a";
        const string Reason = "REASON-MARKER-91c2";
        await PublishAndSaveAsync(p => Discard(p.PublishAsync("probe.thing", "thing", "lg1", new { id = "lg1", text = 42, secret = Marker })));
        await PublishAndSaveAsync(p => Discard(p.PublishAsync(new ProbeThing("lg2", "die " + Marker))));
        await PublishAndSaveAsync(p => Discard(p.PublishAsync(new ProbeThing("lg3", "die"))));
        await Harness.DrainAsync();
        (await Ops.GetMetricsAsync()).DeadLetters.Should().Be(2);
        (await Ops.PurgeAsync(new EventFilter { Status = EventStatus.DeadLetter }, "ops", Reason)).Should().Be(2);
        await Ops.PauseAsync("probe.thing", "ops", Reason);

        // The unsaved-events warning (2005): a scope that publishes and never saves.
        await Harness.RunInScopeAsync(sp => sp.GetRequiredService<IEventPublisher>().PublishAsync(new ProbeThing("lg4", Marker)).AsTask());

        var leaks = _logs.Entries.Where(e => e.Level > LogLevel.Debug && (e.Message.Contains(Marker, StringComparison.Ordinal) || e.Message.Contains(Reason, StringComparison.Ordinal))).ToList();
        foreach (var e in leaks)
        {
            Output.WriteLine($"{e.Level} {e.Id.Id} {e.Category}: {e.Message}");
        }

        leaks.Where(e => e.Category.StartsWith("EventKit", StringComparison.Ordinal)).Should().BeEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private static async ValueTask Discard<T>(ValueTask<T> task) => await task;

    private async Task<(Exception? Publish, Exception? Save)> PublishAndSaveAsync(Func<IEventPublisher, ValueTask> publish)
    {
        Exception? publishError = null, saveError = null;
        await Harness.RunInScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<TContext>();
            db.Users.Add(new User { Id = Guid.NewGuid(), Email = $"{Guid.NewGuid():N}@example.com" });
            try
            {
                await publish(sp.GetRequiredService<IEventPublisher>());
            }
            catch (Exception ex)
            {
                publishError = ex;
            }

            try
            {
                await db.SaveChangesAsync();
            }
            catch (Exception ex)
            {
                saveError = ex;
            }
        });
        return (publishError, saveError);
    }

    private async Task<int> CountEventsAsync() => (await Ops.GetEventsAsync(pageSize: 1000)).Events.Count;
}

public sealed class SqliteHostileInputTests(ITestOutputHelper output) : HostileInputTests<SqliteTestDbContext>(new SqliteTestDatabase(), output);

public sealed class PostgresHostileInputTests(ITestOutputHelper output) : HostileInputTests<PostgresTestDbContext>(new PostgresTestDatabase(), output);
