using System.Collections.Concurrent;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EventKit.Internal;
using EventKit.Internal.Processing;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EventKit.ContractTests;

/// <summary>
/// The semantics every store must prove (ARCHITECTURE.md, items 2–10), run through the real publisher and
/// processor. Each store's test project derives from this class once.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Chooses the store under test.</summary>
    protected abstract void UseStore(IEventKitBuilder builder);

    /// <summary>Registers what the store needs (a DbContext, ...).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Commits the publishing scope's unit of work (e.g. SaveChanges); nothing for the in-memory store.</summary>
    protected virtual Task CommitAsync(IServiceProvider scopedServices) => Task.CompletedTask;

    /// <summary>Events in the multi-processor test.</summary>
    protected virtual int ConcurrentEventCount => 10_000;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Why this store cannot run here (no database server), or <see langword="null"/>. Tests then report skipped.</summary>
    protected virtual string? SkipReason => null;

    /// <summary>A payload budget no claim of a test reaches (<see cref="IEventStore.ClaimAsync"/>'s <c>maxPayloadBytes</c>).</summary>
    protected const int NoBudget = int.MaxValue;

    /// <summary>The lease duration of the lease tests.</summary>
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether the store grants, renews and expires leases by a clock of its own (PostgreSQL: the database's) rather
    /// than by the callers' clocks (the fake clock here). Such a store needs no grace for clock skew, and its lease time
    /// passes in tests through <see cref="AgeLeasesAsync"/>.
    /// </summary>
    protected virtual bool LeasesUseStoreClock => false;

    /// <summary>
    /// How long after it was granted an unrenewed lease becomes claimable by another processor: the lease itself on a
    /// store clock; on the callers' clocks, a further lease duration (the grace that tolerates skew between them).
    /// </summary>
    protected TimeSpan ClaimableAfter(TimeSpan lease) => LeasesUseStoreClock ? lease : 2 * lease;

    /// <summary>
    /// How close to a lease boundary tests look: 1 ms on the fake clock; on a store clock, time really passes between two
    /// statements, so ten seconds.
    /// </summary>
    protected TimeSpan LeaseMargin => LeasesUseStoreClock ? TimeSpan.FromSeconds(10) : TimeSpan.FromMilliseconds(1);

    /// <summary>On a store with a lease clock of its own: moves every lease back by <paramref name="elapsed"/>, as if that clock had run on by as much.</summary>
    protected virtual Task AgeLeasesAsync(TestApp app, TimeSpan elapsed) =>
        throw new NotSupportedException("A store whose leases use its own clock must say how tests let that clock run on.");

    /// <summary>The current time of the clock leases are measured by: the fake clock, or the store's own.</summary>
    protected virtual Task<DateTimeOffset> LeaseClockAsync(TestApp app) => Task.FromResult(app.Time.GetUtcNow());

    /// <summary>Lets <paramref name="elapsed"/> pass on the store's lease clock (if it has one), then on the app's clock.</summary>
    protected async Task PassTimeAsync(TestApp app, TimeSpan elapsed)
    {
        // The store's clock first: the fake clock's step may fire a renewal, which must not be aged afterwards.
        if (LeasesUseStoreClock)
        {
            await AgeLeasesAsync(app, elapsed);
        }

        app.Time.Advance(elapsed);
    }

    /// <summary>Lets <paramref name="step"/> (a renewal period) pass and waits until the processor renewed the lease of <paramref name="id"/>.</summary>
    protected async Task PassTimeAndAwaitRenewalAsync(TestApp app, Guid id, TimeSpan step)
    {
        var from = await LeaseClockAsync(app);
        await PassTimeAsync(app, step);
        await AwaitRenewalAsync(app, id, from);
    }

    /// <summary>
    /// Waits until the lease of <paramref name="id"/> was renewed after the lease clock read <paramref name="from"/>: on
    /// the fake clock the renewal starts at its current time exactly; on a store clock, at some time after
    /// <paramref name="from"/>, while an aged lease ends at most <see cref="Lease"/> minus the step after it.
    /// </summary>
    protected async Task AwaitRenewalAsync(TestApp app, Guid id, DateTimeOffset from)
    {
        var renewedFrom = LeasesUseStoreClock ? from : app.Time.GetUtcNow();
        await WaitUntilAsync(async () => (await app.GetAsync(id)).LockedUntil >= renewedFrom + Lease);
        if (!LeasesUseStoreClock)
        {
            (await app.GetAsync(id)).LockedUntil.Should().Be(app.Time.GetUtcNow() + Lease, "the lease is renewed before it runs out, from the processor's time");
        }
    }

    protected TestApp CreateApp(Action<EventKitOptions>? configure = null, Action<IEventKitBuilder>? handlers = null, ClaimLog? claimLog = null)
    {
        Skip.If(SkipReason is not null, SkipReason);
        return TestApp.Create(UseStore, configure, handlers, ConfigureServices, CommitAsync, claimLog);
    }

    /// <summary>A handler run's log entry (first attempt) as the processor would record it.</summary>
    private static EventLogEntry LogEntry(Guid eventId, DateTimeOffset at, TimeSpan duration, string action = nameof(WelcomeEmailHandler), EventLogResult result = EventLogResult.Success, string? error = null, string? actor = null) => new()
    {
        Id = Guid.CreateVersion7(),
        EventId = eventId,
        Handler = action,
        Actor = actor,
        Result = result,
        Error = error,
        Attempt = 1,
        Duration = duration,
        CreatedAt = at,
    };

    protected static UserCreated NewUser(string name = "Ana") => new(Guid.NewGuid(), $"{name.ToLowerInvariant()}@example.com", name);

    // ---- The seed's two tests --------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Seed_PublishAndProcess_HandlerIsCalled()
    {
        await using var app = CreateApp();

        var id = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "123", new { data = "test" }));
        await app.DrainAsync();

        app.Probe.Calls.Should().ContainSingle(c => c.Handler == nameof(TestEventHandler) && c.EventId == id);
        var context = (EventContext<TestEvent>)app.Probe.Calls.Single().Payload;
        context.Payload.Data.Should().Be("test");
        context.Type.Should().Be("test.event");
        context.Entity.Should().Be("test");
        context.EntityId.Should().Be("123");
    }

    [SkippableFact]
    public async Task Seed_HandlerThrows_EventIsFailed()
    {
        await using var app = CreateApp();
        app.Probe.FailTimes(nameof(TestEventHandler), 1);

        var id = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "123", new { }));
        await app.DrainAsync();

        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Failed);
    }

    // ---- Status machine and log ---------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Publish_ThenDrain_CompletesAndLogsEachHandler()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<WelcomeEmailHandler>().AddHandler<WelcomeNotificationHandler>());
        var user = NewUser();

        var id = await app.PublishAsync(user, new PublishOptions { Actor = "admin-7", CorrelationId = "req-1" });
        var pending = await app.GetAsync(id);
        pending.Status.Should().Be(EventStatus.Pending);
        pending.Type.Should().Be("user.created");
        pending.Entity.Should().Be("user");
        pending.EntityId.Should().Be(user.UserId.ToString());
        pending.CreatedAt.Should().Be(TestApp.Start);
        pending.ProcessedAt.Should().BeNull();

        app.Time.Advance(TimeSpan.FromSeconds(3));
        var result = await app.DrainAsync();

        result.Completed.Should().Be(1);
        var done = await app.GetAsync(id);
        done.Status.Should().Be(EventStatus.Completed);
        done.Attempts.Should().Be(1);
        done.ProcessedAt.Should().Be(TestApp.Start.AddSeconds(3));
        done.LockedBy.Should().BeNull();
        done.LockedUntil.Should().BeNull();
        done.Actor.Should().Be("admin-7");
        done.CorrelationId.Should().Be("req-1");

        var log = await app.GetLogAsync(id);
        log.Select(l => l.Handler).Should().BeEquivalentTo(nameof(WelcomeEmailHandler), nameof(WelcomeNotificationHandler));
        log.Should().AllSatisfy(l =>
        {
            l.EventId.Should().Be(id);
            l.Result.Should().Be(EventLogResult.Success);
            l.Actor.Should().Be("admin-7");
            l.Attempt.Should().Be(1);
            l.Error.Should().BeNull();
            l.Duration.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero);
            l.CreatedAt.Should().Be(TestApp.Start.AddSeconds(3));
        });
    }

    [SkippableFact]
    public async Task Handler_ReceivesTypedPayloadAndContext()
    {
        await using var app = CreateApp();
        var user = NewUser("Bea");

        var id = await app.PublishAsync(user, new PublishOptions { Actor = "u1", CorrelationId = "c1" });
        await app.DrainAsync();

        var call = app.Probe.Calls.Should().ContainSingle().Subject;
        call.Payload.Should().Be(user);
        call.EventId.Should().Be(id);
        call.Attempt.Should().Be(1);
    }

    [SkippableFact]
    public async Task UntypedPublish_RawJsonHandler_ReceivesJson()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<RawJsonHandler, JsonElement>("document.uploaded"));

        await app.PublishAsync(p => p.PublishAsync("document.uploaded", "document", "d-1", new { fileName = "a.pdf", size = 42 }));
        await app.DrainAsync();

        var json = (JsonElement)app.Probe.Calls.Should().ContainSingle().Subject.Payload;
        json.GetProperty("fileName").GetString().Should().Be("a.pdf");
        json.GetProperty("size").GetInt32().Should().Be(42);
    }

    [SkippableFact]
    public async Task OneHandlerClass_ForTwoEventTypes_HandlesBoth()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<BillingHandler>());

        await app.PublishAsync(new InvoicePaid(7, 120.5m));
        await app.PublishAsync(new TaskOverdue("t-9", "Ship it"));
        await app.DrainAsync();

        app.Probe.Calls.Select(c => c.Payload).Should().BeEquivalentTo(new object[] { new InvoicePaid(7, 120.5m), new TaskOverdue("t-9", "Ship it") });
    }

    // ---- Text and payloads every store holds exactly -----------------------------------------------------------

    /// <summary>Text no store could hold exactly: NUL, unpaired high and low surrogates, a reversed pair, a pair followed by a lone half.</summary>
    private static readonly string[] UnstorableTexts = ["a\0b", "\0", "a\uD800", "\uDC00b", "a\uDC00\uD800b", "\uD83D\uDE00\uD800"];

    /// <summary>Every text argument and option of a publish, named as the exception's ParamName names it.</summary>
    public static TheoryData<string> TextArguments => new() { "entity", "entityId", "payload", "options.Actor", "options.CorrelationId", "options.IdempotencyKey" };

    [SkippableTheory]
    [MemberData(nameof(TextArguments))]
    public async Task Publish_TextWithNulOrUnpairedSurrogate_ThrowsNamingTheArgument_AndStoresNothing(string argument)
    {
        await using var app = CreateApp();
        foreach (var text in UnstorableTexts)
        {
            var publish = () => app.PublishAsync(p => argument switch
            {
                "entity" => p.PublishAsync("test.event", text, "1", new { data = "x" }),
                "entityId" => p.PublishAsync("test.event", "test", text, new { data = "x" }),
                "payload" => p.PublishAsync(new TaskOverdue(text, "its [EntityId] property")),
                "options.Actor" => p.PublishAsync(NewUser(), new PublishOptions { Actor = text }),
                "options.CorrelationId" => p.PublishAsync(NewUser(), new PublishOptions { CorrelationId = text }),
                _ => p.PublishAsync(NewUser(), new PublishOptions { IdempotencyKey = text }),
            });

            var thrown = (await publish.Should().ThrowAsync<ArgumentException>()).Which;
            thrown.ParamName.Should().Be(argument);
            thrown.Message.Should().Contain("except the NUL character (U+0000) and unpaired surrogates");
        }

        (await app.Operations.GetMetricsAsync()).Should().BeEquivalentTo(new { Pending = 0, Processing = 0, Completed = 0, Failed = 0, DeadLetters = 0, Cancelled = 0 }, "nothing is stored");
    }

    [SkippableFact]
    public async Task Publish_PayloadOverMaxPayloadSize_ThrowsNamingPayloadWithItsSizeAndTheLimit_AndStoresNothing()
    {
        await using var app = CreateApp(
            o =>
            {
                o.MaxPayloadSize = 1024;
                o.SerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            },
            b => b.AddHandler<RawJsonHandler, JsonElement>("payload.raw").AddHandler<WelcomeEmailHandler>());

        // {"text":"…"} is 11 bytes around the text, and "é" (written raw) is one character but 2 UTF-8 bytes: the limit
        // counts the bytes stored, so 518 characters are 1,024 bytes, and 519 are 1,025.
        var text = new string('é', 506) + "a";
        var atLimit = new { text };
        var overLimit = new { text = text + "a" };
        JsonSerializer.Serialize(atLimit, app.Options.SerializerOptions).Should().HaveLength(518);

        var id = await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "1", atLimit));
        var untyped = () => app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "2", overLimit));
        var typed = () => app.PublishAsync(new UserCreated(Guid.NewGuid(), "ana@example.com", new string('x', 1000)));

        var thrown = (await untyped.Should().ThrowAsync<ArgumentException>()).Which;
        thrown.ParamName.Should().Be("payload");
        thrown.Message.Should().Contain("is 1,025 bytes (UTF-8), more than EventKitOptions.MaxPayloadSize allows (1,024 bytes)");
        (await typed.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("payload");

        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(1, "only the payload at the limit is stored");
        await app.DrainAsync();
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        ((JsonElement)app.Probe.Calls.Should().ContainSingle().Subject.Payload).GetProperty("text").GetString().Should().Be(text);
    }

    [SkippableFact]
    public async Task Claim_StopsAtThePayloadBudget_InDueOrder_AlwaysTakingOneEvent()
    {
        await using var app = CreateApp(o => o.SerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        // {"data":"…"} is 11 bytes around the text. The second payload is 100 bytes in 56 characters ("é" is 2 bytes):
        // the budget counts bytes.
        async Task<Guid> PublishAsync(string data, int bytes)
        {
            Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(new { data }, app.Options.SerializerOptions)).Should().Be(bytes);
            return await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "1", new { data }));
        }

        var e1 = await PublishAsync(new string('x', 89), 100);
        var e2 = await PublishAsync(new string('é', 44) + "x", 100);
        var e3 = await PublishAsync(new string('x', 289), 300);
        var e4 = await PublishAsync(new string('x', 89), 100);
        var now = app.Time.GetUtcNow();
        Task<Guid[]> ClaimAsync(int budget) =>
            app.WithStoreAsync(async s => (await s.ClaimAsync("a", 10, budget, now, Lease)).Select(c => c.Event.Id).ToArray());

        (await ClaimAsync(199)).Should().Equal([e1], "e1 and e2 are 200 bytes, though only 156 characters");
        (await ClaimAsync(400)).Should().Equal([e2, e3], "the budget is inclusive, and e4 would pass it");
        (await ClaimAsync(50)).Should().Equal([e4], "a claim takes at least one event, however large");
        (await ClaimAsync(NoBudget)).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Claim_AnEventThatDoesNotFit_StaysFirstInLine()
    {
        await using var app = CreateApp();
        var small = await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "1", new { data = "x" }));
        var large = await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "2", new { data = new string('x', 989) }));  // 1,000 bytes
        var later = await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "3", new { data = "y" }));
        var now = app.Time.GetUtcNow();

        var first = await app.WithStoreAsync(s => s.ClaimAsync("a", 10, 500, now, Lease));
        var second = await app.WithStoreAsync(s => s.ClaimAsync("a", 10, 500, now, Lease));

        first.Select(c => c.Event.Id).Should().Equal([small], "the claim stops at the first event that does not fit rather than skipping it");
        second.Select(c => c.Event.Id).Should().Equal([large], "the large event then leads its claim, alone");
        (await app.WithStoreAsync(s => s.ClaimAsync("a", 10, 500, now, Lease))).Select(c => c.Event.Id).Should().Equal([later]);
    }

    [SkippableFact]
    public async Task Claim_ExcludedTypes_ArePassedOver_AndStayFirstInLine()
    {
        await using var app = CreateApp();
        var a1 = await app.PublishAsync(p => p.PublishAsync("limited.type", "payload", "1", new { data = "x" }));
        var b1 = await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "2", new { data = "x" }));
        var a2 = await app.PublishAsync(p => p.PublishAsync("limited.type", "payload", "3", new { data = "x" }));
        var c1 = await app.PublishAsync(p => p.PublishAsync("other.type", "payload", "4", new { data = "x" }));
        var b2 = await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "5", new { data = "x" }));
        var now = app.Time.GetUtcNow();
        Task<Guid[]> ClaimAsync(int count, params string[] excluded) =>
            app.WithStoreAsync(async s => (await s.ClaimAsync("a", count, NoBudget, now, Lease, excluded)).Select(c => c.Event.Id).ToArray());

        (await ClaimAsync(2, "limited.type")).Should().Equal([b1, c1], "the claim reads past the excluded type's events, in due order");
        (await ClaimAsync(10, "limited.type", "payload.raw")).Should().BeEmpty("every runnable event left is of an excluded type");
        (await app.WithStoreAsync(s => s.GetBacklogAsync(now))).OldestRunnableAt.Should().Be(now, "events a claim passed over still wait, and the backlog says so");
        (await ClaimAsync(10)).Should().Equal([a1, a2, b2], "excluded events stay in line, first, for the next claim that takes them");
    }

    [SkippableFact]
    public async Task Claim_ExcludedOrderedEvent_StillHoldsBackTheLaterEventsOfItsEntity()
    {
        // Passing over an ordered event (its type is excluded) must not let a later event of its entity, of another
        // type, overtake it: the entity waits, and other entities go on.
        await using var app = CreateApp();
        var ordered = new PublishOptions { Ordered = true };
        var a1 = await app.PublishAsync(p => p.PublishAsync("limited.type", "account", "a", new { data = "x" }, ordered));
        var a2 = await app.PublishAsync(p => p.PublishAsync("payload.raw", "account", "a", new { data = "x" }, ordered));
        var b1 = await app.PublishAsync(p => p.PublishAsync("payload.raw", "account", "b", new { data = "x" }, ordered));
        var now = app.Time.GetUtcNow();
        Task<Guid[]> ClaimAsync(params string[] excluded) =>
            app.WithStoreAsync(async s => (await s.ClaimAsync("a", 10, NoBudget, now, Lease, excluded)).Select(c => c.Event.Id).ToArray());

        (await ClaimAsync("limited.type")).Should().Equal([b1], "a/2 waits for a/1, which this claim passes over");
        (await ClaimAsync()).Should().Equal([a1], "a/1 is first in line for the next claim; a/2 still waits for it");
        (await app.GetAsync(a2)).Status.Should().Be(EventStatus.Pending);
    }

    [SkippableFact]
    public async Task Claim_ExcludedTypes_WithANullOrDuplicates_BehaveAlikeOnEveryStore()
    {
        await using var app = CreateApp();
        var a1 = await app.PublishAsync(p => p.PublishAsync("limited.type", "payload", "1", new { data = "x" }));
        var b1 = await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "2", new { data = "x" }));
        var now = app.Time.GetUtcNow();

        // A null type is bad input: it fails at the call naming the argument, and claims nothing.
        var withNull = () => app.WithStoreAsync(async s => await s.ClaimAsync("a", 10, NoBudget, now, Lease, ["limited.type", null!]));
        (await withNull.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("excludedTypes");

        // Duplicates and an empty name (no event has that type) change nothing.
        (await app.WithStoreAsync(async s => (await s.ClaimAsync("a", 10, NoBudget, now, Lease, ["limited.type", "limited.type", ""])).Select(c => c.Event.Id).ToArray()))
            .Should().Equal([b1], "the null was refused before anything was claimed, and the excluded type is passed over");
        (await app.WithStoreAsync(async s => (await s.ClaimAsync("a", 10, NoBudget, now, Lease, [])).Select(c => c.Event.Id).ToArray()))
            .Should().Equal([a1], "an empty list excludes nothing");
    }

    [SkippableFact]
    public async Task Drain_TwentyPayloadsOfFiveMiB_EachClaimLoadsAtMostMaxClaimPayloadSize()
    {
        // The case: 20 events of 5 MiB, which one claim of BatchSize 100 used to load at once (100 MiB of payload).
        const int FiveMiB = 5 * 1024 * 1024;
        const int Budget = 12 * 1024 * 1024;
        var claims = new ClaimLog();
        await using var app = CreateApp(
            o =>
            {
                o.MaxPayloadSize = 8 * 1024 * 1024;
                o.MaxClaimPayloadSize = Budget;
            },
            b => b.AddHandler<RawJsonHandler, JsonElement>("payload.raw"),
            claims);
        var data = new string('x', FiveMiB - 11);   // {"data":"…"}: exactly 5 MiB
        for (var i = 0; i < 20; i++)
        {
            await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", i.ToString(System.Globalization.CultureInfo.InvariantCulture), new { data }));
        }

        var result = await app.DrainAsync();

        result.Completed.Should().Be(20);
        claims.NonEmpty.Should().HaveCount(10).And.OnlyContain(c => c.Count == 2 && c.Sum() == 2 * FiveMiB, "two payloads fit the 12 MiB budget, a third would not");
        claims.Claims.Should().OnlyContain(c => c.Sum() <= Budget);
        claims.Claims.Sum(c => c.Count).Should().Be(20);
    }

    [SkippableFact]
    public async Task Publish_AnyOtherUnicodeText_RoundTripsExactly_InEveryField()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<RawJsonHandler, JsonElement>("text.event"));
        const string text = "ñandú 中文 😀 e\u0301 \u05E9\u200F \uFFFD \u0001\u001F\u007F \uFFFF";
        var options = new PublishOptions { Actor = "actor " + text, CorrelationId = "correlation " + text, IdempotencyKey = "key " + text };

        var id = await app.PublishAsync(p => p.PublishAsync("text.event", "entity " + text, "id " + text, new { text }, options));
        await app.DrainAsync();

        var stored = await app.GetAsync(id);
        stored.Status.Should().Be(EventStatus.Completed);
        stored.Should().BeEquivalentTo(new
        {
            Entity = "entity " + text,
            EntityId = "id " + text,
            Actor = "actor " + text,
            CorrelationId = "correlation " + text,
            IdempotencyKey = "key " + text,
        });
        ((JsonElement)app.Probe.Calls.Should().ContainSingle().Subject.Payload).GetProperty("text").GetString().Should().Be(text);
        (await app.GetLogAsync(id)).Should().ContainSingle().Which.Actor.Should().Be("actor " + text);
        (await app.PublishAsync(p => p.PublishAsync("text.event", "entity", "2", new { }, new PublishOptions { IdempotencyKey = "key " + text })))
            .Should().Be(id, "the key is found again exactly");
    }

    [SkippableFact]
    public async Task Payload_RoundTripsExactly_WithEscapesKeyOrderAndTypeDiscriminator_AndIsHandled()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<ShapeHandler>().AddHandler<RawJsonHandler, JsonElement>("payload.raw"));
        Shape circle = new Circle { Id = "s-1", Radius = 2.5 };
        var ordered = new { zeta = 1, alpha = 2, mid = new { b = true, a = (string?)null }, aa = 3.5 };
        var escapes = new { nul = "a\0b", lone = "x\uD800y", pair = "\uD83D\uDE00", quote = "\"\\/\n" };

        var published = new List<(Guid Id, string Json)>
        {
            (await app.PublishAsync(p => p.PublishAsync(circle)), JsonSerializer.Serialize(circle, app.Options.SerializerOptions)),
            (await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "1", ordered)), """{"zeta":1,"alpha":2,"mid":{"b":true,"a":null},"aa":3.5}"""),
            (await app.PublishAsync(p => p.PublishAsync("payload.raw", "payload", "2", escapes)), """{"nul":"a\u0000b","lone":"x\uFFFDy","pair":"\uD83D\uDE00","quote":"\u0022\\/\n"}"""),
        };
        published[0].Json.Should().StartWith("""{"$type":"circle",""", "System.Text.Json writes the discriminator first and reads it only there");

        foreach (var (id, json) in published)
        {
            (await app.GetAsync(id)).Payload.Should().Be(json, "the stored payload is the published JSON text, byte for byte");
        }

        var result = await app.DrainAsync();

        result.Completed.Should().Be(3);
        result.DeadLettered.Should().Be(0);
        foreach (var (id, json) in published)
        {
            var handled = await app.GetAsync(id);
            handled.Status.Should().Be(EventStatus.Completed);
            handled.Payload.Should().Be(json);
        }

        app.Probe.Calls.Where(c => c.Handler == nameof(ShapeHandler)).Should().ContainSingle().Which.Payload.Should().Be(circle);
        var raw = app.Probe.Calls.Where(c => c.Handler == nameof(RawJsonHandler)).ToDictionary(c => c.EventId, c => (JsonElement)c.Payload);
        raw[published[2].Id].GetProperty("nul").GetString().Should().Be("a\0b");
        raw[published[2].Id].GetProperty("lone").GetString().Should().Be("x\uFFFDy", "System.Text.Json writes an unpaired surrogate as U+FFFD");
        raw[published[1].Id].EnumerateObject().Select(p => p.Name).Should().Equal("zeta", "alpha", "mid", "aa");
    }

    // ---- Retries ------------------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task FailedAttempt_IsRetriedAfterBackoff_NotBefore()
    {
        await using var app = CreateApp(o => o.RetryBaseDelay = TimeSpan.FromSeconds(10));
        app.Probe.FailTimes(nameof(WelcomeEmailHandler), 1);
        var id = await app.PublishAsync(NewUser());

        await app.DrainAsync();

        var failed = await app.GetAsync(id);
        failed.Status.Should().Be(EventStatus.Failed);
        failed.Attempts.Should().Be(1);
        failed.LastError.Should().Contain("failed on purpose");
        failed.AvailableAt.Should().BeOnOrAfter(TestApp.Start.AddSeconds(8)).And.BeOnOrBefore(TestApp.Start.AddSeconds(12));

        app.Time.Advance(TimeSpan.FromSeconds(7.9));
        (await app.DrainAsync()).Claimed.Should().Be(0, "the backoff has not elapsed");

        app.Time.Advance(TimeSpan.FromSeconds(4.2));
        await app.DrainAsync();

        var done = await app.GetAsync(id);
        done.Status.Should().Be(EventStatus.Completed);
        done.Attempts.Should().Be(2);
        done.LastError.Should().BeNull();
        var log = await app.GetLogAsync(id);
        log.Select(l => (l.Result, l.Attempt)).Should().Equal((EventLogResult.Failure, 1), (EventLogResult.Success, 2));
        log[0].Error.Should().Contain("failed on purpose");
    }

    [SkippableFact]
    public async Task Backoff_GrowsExponentially()
    {
        await using var app = CreateApp(o =>
        {
            o.MaxAttempts = 5;
            o.RetryBaseDelay = TimeSpan.FromSeconds(10);
        });
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var id = await app.PublishAsync(NewUser());

        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await app.DrainAsync();
            var record = await app.GetAsync(id);
            var delay = record.AvailableAt - app.Time.GetUtcNow();
            delays.Add(delay);
            app.Time.Advance(delay);
        }

        delays[0].Should().BeCloseTo(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        delays[1].Should().BeCloseTo(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(4));
        delays[2].Should().BeCloseTo(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(8));
    }

    [SkippableFact]
    public async Task Retry_RunsOnlyHandlersThatHaveNotSucceeded()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<WelcomeEmailHandler>().AddHandler<WelcomeNotificationHandler>());
        app.Probe.FailTimes(nameof(WelcomeNotificationHandler), 2);
        var id = await app.PublishAsync(NewUser());

        for (var i = 0; i < 3; i++)
        {
            await app.DrainAsync();
            app.Time.Advance(TimeSpan.FromMinutes(10));
        }

        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(1, "a handler that succeeded is not run again");
        app.Probe.CountCalls(nameof(WelcomeNotificationHandler)).Should().Be(3);
        var log = await app.GetLogAsync(id);
        log.Should().HaveCount(4);
        log.Where(l => l.Handler == nameof(WelcomeNotificationHandler)).Select(l => l.Attempt).Should().Equal(1, 2, 3);
    }

    [SkippableFact]
    public async Task MaxAttemptsExhausted_DeadLetters_ThenRequeueCompletes()
    {
        await using var app = CreateApp(o => o.MaxAttempts = 3);
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        var id = await app.PublishAsync(NewUser());

        for (var i = 0; i < 3; i++)
        {
            await app.DrainAsync();
            app.Time.Advance(TimeSpan.FromMinutes(10));
        }

        await app.DrainAsync();
        var dead = await app.GetAsync(id);
        dead.Status.Should().Be(EventStatus.DeadLetter);
        dead.Attempts.Should().Be(3);
        dead.LastError.Should().Contain("3 attempts").And.Contain("failed on purpose");
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(3);

        var listed = await app.Operations.GetDeadLettersAsync();
        listed.Should().ContainSingle(e => e.Id == id).Which.LastError.Should().Be(dead.LastError);

        app.Probe.Heal(nameof(WelcomeEmailHandler));
        (await app.Operations.RequeueAsync(id, "ops", "fixed")).Should().BeTrue();
        var requeued = await app.GetAsync(id);
        requeued.Status.Should().Be(EventStatus.Pending);
        requeued.Attempts.Should().Be(3, "attempt numbers go on after a requeue");
        requeued.UncountedAttempts.Should().Be(3, "with a fresh budget");
        requeued.LastError.Should().BeNull();
        (await app.Operations.RequeueAsync(id, "ops", "fixed")).Should().BeFalse("it is no longer a dead letter");

        await app.DrainAsync();
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        (await app.Operations.GetDeadLettersAsync()).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task NonRetryableException_DeadLettersAtOnce()
    {
        await using var app = CreateApp();
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("user no longer exists"));
        var id = await app.PublishAsync(NewUser());

        var result = await app.DrainAsync();

        result.DeadLettered.Should().Be(1);
        var dead = await app.GetAsync(id);
        dead.Status.Should().Be(EventStatus.DeadLetter);
        dead.Attempts.Should().Be(1);
        dead.ProcessedAt.Should().Be(TestApp.Start);
        dead.LastError.Should().Contain("user no longer exists");
    }

    [SkippableFact]
    public async Task UndeserializablePayload_DeadLettersAtOnce_WithReason()
    {
        await using var app = CreateApp();

        var id = await app.PublishAsync(p => p.PublishAsync("user.created", "user", "1", new { userId = "not-a-guid" }));
        await app.DrainAsync();

        var dead = await app.GetAsync(id);
        dead.Status.Should().Be(EventStatus.DeadLetter);
        dead.Attempts.Should().Be(1);
        dead.LastError.Should().Contain("cannot be deserialized").And.Contain(typeof(UserCreated).FullName);
        app.Probe.Calls.Should().BeEmpty();
        (await app.GetLogAsync(id)).Should().ContainSingle().Which.Result.Should().Be(EventLogResult.Failure);
    }

    [SkippableFact]
    public async Task RequeueDeadLettersOfType_RequeuesOnlyThatType_AndSkipsSucceededHandlers()
    {
        await using var app = CreateApp(handlers: b => b.AddHandler<WelcomeEmailHandler>().AddHandler<WelcomeNotificationHandler>().AddHandler<TestEventHandler>());
        app.Probe.FailWith(nameof(WelcomeNotificationHandler), () => new NonRetryableEventException("down"));
        app.Probe.FailWith(nameof(TestEventHandler), () => new NonRetryableEventException("down"));
        var a = await app.PublishAsync(NewUser("A"));
        var b = await app.PublishAsync(NewUser("B"));
        var other = await app.PublishAsync(p => p.PublishAsync("test.event", "test", "1", new { data = "x" }));
        await app.DrainAsync();
        (await app.Operations.GetDeadLettersAsync("user.created")).Select(e => e.Id).Should().BeEquivalentTo([a, b]);
        (await app.Operations.GetDeadLettersAsync(limit: 1)).Should().HaveCount(1);

        app.Probe.Heal(nameof(WelcomeNotificationHandler));
        (await app.Operations.RequeueMatchingAsync(new EventFilter { Type = "user.created", Status = EventStatus.DeadLetter }, "ops", "fixed")).Should().Be(2);
        await app.DrainAsync();

        (await app.GetAsync(a)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(b)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(other)).Status.Should().Be(EventStatus.DeadLetter);
        app.Probe.CountCalls(nameof(WelcomeEmailHandler)).Should().Be(2, "the email handler succeeded before the dead letter and is not run again");
        app.Probe.CountCalls(nameof(WelcomeNotificationHandler)).Should().Be(4);
    }

    [SkippableFact]
    public async Task ErrorText_IsBounded()
    {
        await using var app = CreateApp();
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new InvalidOperationException(new string('x', 50_000)));
        var id = await app.PublishAsync(NewUser());

        await app.DrainAsync();

        var record = await app.GetAsync(id);
        record.LastError!.Length.Should().BeLessThanOrEqualTo(EventLogEntry.MaxErrorLength);
        (await app.GetLogAsync(id)).Single().Error!.Length.Should().BeLessThanOrEqualTo(EventLogEntry.MaxErrorLength);
    }

    [SkippableFact]
    public async Task ErrorText_WithNulLoneSurrogatesAndAnEmojiAtTheCut_IsStoredSafely_AndRoundTrips()
    {
        await using var app = CreateApp();
        var text = "nul:\0 lone high:\uD83D lone low:\uDE00 ";
        text += new string('x', 1996 - text.Length) + "\U0001F600" + new string('y', 100);   // the emoji straddles the cut at 1,997
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new TextException(text));
        var id = await app.PublishAsync(NewUser());

        await app.DrainAsync();

        var expected = ErrorText.Sanitize(text)!;
        expected.Should().NotContain("\0").And.EndWith("x...", "the pair is not split: the cut falls before it");
        expected.Length.Should().Be(EventLogEntry.MaxErrorLength - 1);
        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.Failed, "the outcome was recorded");
        record.LastError.Should().Be(expected);
        (await app.GetLogAsync(id)).Single().Error.Should().Be(expected);
    }

    [SkippableFact]
    public async Task Events_StartInTheOrderTheyWereDue_ThenPublishOrder()
    {
        await using var app = CreateApp(o => o.MaxConcurrency = 1, b => b.AddHandler<WelcomeEmailHandler>());
        var now = app.Time.GetUtcNow();
        await app.PublishAsync(NewUser("E1"), new PublishOptions { AvailableAt = now.AddSeconds(30) });
        await app.PublishAsync(NewUser("E2"), new PublishOptions { AvailableAt = now.AddSeconds(10) });
        await app.PublishAsync(NewUser("E3"), new PublishOptions { AvailableAt = now.AddSeconds(20) });
        for (var i = 4; i <= 8; i++)
        {
            await app.PublishAsync(NewUser($"E{i}"));
        }

        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.DrainAsync();

        app.Probe.Calls.Select(c => ((UserCreated)c.Payload).Name).Should().Equal("E4", "E5", "E6", "E7", "E8", "E2", "E3", "E1");
    }

    /// <summary>An exception whose whole text is given, to place characters exactly where the processor cuts.</summary>
    private sealed class TextException(string text) : Exception("text")
    {
        public override string ToString() => text;
    }

    [SkippableFact]
    public async Task HandlerTimeout_CancelsHandler_AndCountsAsRetryableFailure()
    {
        await using var app = CreateApp(o => o.HandlerTimeout = TimeSpan.FromSeconds(5));
        app.Probe.Gate = new TaskCompletionSource();
        var id = await app.PublishAsync(NewUser());

        var run = app.DrainAsync();
        await app.Probe.Started.Task.WaitAsync(Wait);
        app.Time.Advance(TimeSpan.FromSeconds(5));
        await run.WaitAsync(Wait);

        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.Failed);
        record.LastError.Should().Contain("HandlerTimeout");
        (await app.GetLogAsync(id)).Single().Duration.Should().Be(TimeSpan.FromSeconds(5));
    }

    // ---- Delayed events, unhandled events, idempotency ----------------------------------------------------------

    [SkippableFact]
    public async Task DelayedEvent_IsNotHandledBeforeAvailableAt()
    {
        await using var app = CreateApp();
        var dueAt = TestApp.Start.AddHours(2);
        var id = await app.PublishAsync(NewUser(), new PublishOptions { AvailableAt = dueAt });

        (await app.GetAsync(id)).AvailableAt.Should().Be(dueAt);
        (await app.DrainAsync()).Claimed.Should().Be(0);
        app.Time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromMilliseconds(1));
        (await app.DrainAsync()).Claimed.Should().Be(0);
        app.Probe.Calls.Should().BeEmpty();

        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        await app.DrainAsync();

        app.Probe.Calls.Should().ContainSingle();
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
    }

    [SkippableFact]
    public async Task EventWithoutHandler_Completes()
    {
        await using var app = CreateApp();

        var id = await app.PublishAsync(p => p.PublishAsync("email.opened", "email", "e-1", new { }));
        await app.DrainAsync();

        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
    }

    [SkippableFact]
    public async Task EventWithoutHandler_DeadLetters_WhenConfigured()
    {
        await using var app = CreateApp(o => o.DeadLetterUnhandledEvents = true);

        var id = await app.PublishAsync(p => p.PublishAsync("email.opened", "email", "e-1", new { }));
        await app.DrainAsync();

        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.DeadLetter);
        record.LastError.Should().Contain("No handler").And.Contain("email.opened");
    }

    [SkippableFact]
    public async Task IdempotencyKey_SecondPublishReturnsFirstId_AndStoresNothing()
    {
        await using var app = CreateApp();
        var options = new PublishOptions { IdempotencyKey = "signup-42" };

        var first = await app.PublishAsync(NewUser("A"), options);
        var second = await app.PublishAsync(NewUser("B"), options);

        second.Should().Be(first);
        (await app.Operations.GetMetricsAsync()).Pending.Should().Be(1);
        await app.DrainAsync();
        app.Probe.Calls.Should().ContainSingle().Which.Payload.Should().BeOfType<UserCreated>().Which.Name.Should().Be("A");
    }

    // ---- Leases and crash recovery --------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Claim_IsExclusive_UntilTheLeaseExpires()
    {
        await using var app = CreateApp();
        var id = await app.PublishAsync(NewUser());
        var now = app.Time.GetUtcNow();

        var before = await LeaseClockAsync(app);
        var first = await app.WithStoreAsync(s => s.ClaimAsync("a", 10, NoBudget, now, Lease));
        var after = await LeaseClockAsync(app);
        var second = await app.WithStoreAsync(s => s.ClaimAsync("b", 10, NoBudget, now, Lease));

        var leased = first.Should().ContainSingle().Which.Event;
        leased.Should().BeEquivalentTo(new { Id = id, Status = EventStatus.Processing, LockedBy = "a", Attempts = 1 });
        leased.LockedUntil.Should().BeOnOrAfter(before + Lease).And.BeOnOrBefore(after + Lease, "the lease lasts LeaseDuration by the store's lease clock");
        leased.AvailableAt.Should().Be(leased.LockedUntil!.Value);
        (await app.GetAsync(id)).LockedUntil.Should().Be(leased.LockedUntil, "the claim returns the expiry it stored");
        second.Should().BeEmpty();

        await PassTimeAsync(app, ClaimableAfter(Lease) - LeaseMargin);
        (await app.WithStoreAsync(s => s.ClaimAsync("b", 10, NoBudget, app.Time.GetUtcNow(), Lease))).Should().BeEmpty(
            LeasesUseStoreClock ? "the lease has not expired" : "the lease has expired, but not for a further lease duration (the grace for clock skew)");

        await PassTimeAsync(app, LeaseMargin);
        var reclaimed = await app.WithStoreAsync(s => s.ClaimAsync("b", 10, NoBudget, app.Time.GetUtcNow(), Lease));
        reclaimed.Should().ContainSingle().Which.Event.Should().BeEquivalentTo(new { Id = id, LockedBy = "b", Attempts = 2 });
    }

    [SkippableFact]
    public async Task Settle_WithLostLease_ChangesNothingButKeepsTheLog()
    {
        await using var app = CreateApp();
        var id = await app.PublishAsync(NewUser());
        var now = app.Time.GetUtcNow();
        await app.WithStoreAsync(s => s.ClaimAsync("a", 10, NoBudget, now, Lease));
        await PassTimeAsync(app, ClaimableAfter(Lease));
        var later = app.Time.GetUtcNow();
        (await app.WithStoreAsync(s => s.ClaimAsync("b", 10, NoBudget, later, Lease))).Should().ContainSingle();
        var logOfA = LogEntry(id, later, TimeSpan.FromMilliseconds(5));

        var applied = await app.WithStoreAsync(s => s.SettleAsync([new EventOutcome { EventId = id, Status = EventStatus.Completed, ProcessedAt = later, Logs = [logOfA] }], "a"));
        var renewed = await app.WithStoreAsync(s => s.RenewLeasesAsync([id], "a", later, TimeSpan.FromMinutes(5)));

        applied.Should().Be(0);
        renewed.Should().BeEmpty("a lost lease is not renewed, and the renewal says which");
        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.Processing);
        record.LockedBy.Should().Be("b");
        (await app.GetLogAsync(id)).Should().ContainSingle().Which.Handler.Should().Be(nameof(WelcomeEmailHandler));

        (await app.WithStoreAsync(s => s.SettleAsync([new EventOutcome { EventId = id, Status = EventStatus.Completed, ProcessedAt = later }], "b"))).Should().Be(1);
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
    }

    [SkippableFact]
    public async Task Settle_MixedBatch_AppliesEachOutcome_AndStoresEveryLogRowExactly()
    {
        await using var app = CreateApp();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await app.PublishAsync(NewUser($"User{i}")));
        }

        var now = app.Time.GetUtcNow();
        (await app.WithStoreAsync(s => s.ClaimAsync("a", 10, NoBudget, now, Lease))).Should().HaveCount(5);

        var settledAt = now.AddSeconds(2);
        var retryAt = now.AddMinutes(5);
        var (completed, failed, dead, released, releasedWithoutError) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
        EventLogEntry Log(Guid eventId, EventLogResult result, string? error, string? actor, double ms) =>
            LogEntry(eventId, settledAt.AddTicks(1_234_560), TimeSpan.FromMilliseconds(ms), result: result, error: error, actor: actor); // microseconds: PostgreSQL's precision

        const string Unicode = "SMTP 550: «boîte pleine» — 邮箱已满\n\tline 2 \"quoted\" \\ backslash";
        var logs = new[]
        {
            Log(completed, EventLogResult.Success, null, "admin", 12.5),
            Log(failed, EventLogResult.Failure, Unicode, null, 0.25),
            Log(dead, EventLogResult.Failure, "poison", "system:cron", 3),
        };
        var outcomes = new[]
        {
            new EventOutcome { EventId = completed, Status = EventStatus.Completed, ProcessedAt = settledAt, Logs = [logs[0]] },
            new EventOutcome { EventId = failed, Status = EventStatus.Failed, AvailableAt = retryAt, Error = Unicode, Logs = [logs[1]] },
            new EventOutcome { EventId = dead, Status = EventStatus.DeadLetter, ProcessedAt = settledAt, Error = "poison", Logs = [logs[2]] },
            new EventOutcome { EventId = released, Status = EventStatus.Pending, AvailableAt = settledAt, Error = "interrupted" },
            new EventOutcome { EventId = releasedWithoutError, Status = EventStatus.Pending, AvailableAt = settledAt },
        };

        (await app.WithStoreAsync(s => s.SettleAsync(outcomes, "a"))).Should().Be(5);

        var c = await app.GetAsync(completed);
        c.Should().BeEquivalentTo(new { Status = EventStatus.Completed, Attempts = 1, ProcessedAt = (DateTimeOffset?)settledAt, LastError = (string?)null, LockedBy = (string?)null, LockedUntil = (DateTimeOffset?)null });
        var f = await app.GetAsync(failed);
        f.Should().BeEquivalentTo(new { Status = EventStatus.Failed, Attempts = 1, AvailableAt = retryAt, ProcessedAt = (DateTimeOffset?)null, LastError = Unicode, LockedBy = (string?)null });
        var d = await app.GetAsync(dead);
        d.Should().BeEquivalentTo(new { Status = EventStatus.DeadLetter, Attempts = 1, ProcessedAt = (DateTimeOffset?)settledAt, LastError = "poison", LockedBy = (string?)null });
        var r = await app.GetAsync(released);
        r.Should().BeEquivalentTo(new { Status = EventStatus.Pending, Attempts = 0, AvailableAt = settledAt, ProcessedAt = (DateTimeOffset?)null, LastError = "interrupted", LockedBy = (string?)null });
        var r2 = await app.GetAsync(releasedWithoutError);
        r2.Should().BeEquivalentTo(new { Status = EventStatus.Pending, Attempts = 0, LastError = (string?)null });

        (await app.GetLogAsync(completed)).Should().ContainSingle().Which.Should().BeEquivalentTo(logs[0]);
        (await app.GetLogAsync(failed)).Should().ContainSingle().Which.Should().BeEquivalentTo(logs[1]);
        (await app.GetLogAsync(dead)).Should().ContainSingle().Which.Should().BeEquivalentTo(logs[2]);
        (await app.GetLogAsync(released)).Should().BeEmpty();

        // The released events are claimable again at once; the failed one is not before its retry time.
        var again = await app.WithStoreAsync(s => s.ClaimAsync("b", 10, NoBudget, settledAt, Lease));
        again.Select(e => e.Event.Id).Should().BeEquivalentTo([released, releasedWithoutError]);
        again.Should().OnlyContain(e => e.Event.Attempts == 1 && e.SucceededHandlers.Count == 0);
    }

    [SkippableFact]
    public async Task Settle_RepeatedAfterALostAcknowledgement_IsHarmless()
    {
        await using var app = CreateApp();
        var id = await app.PublishAsync(NewUser());
        var now = app.Time.GetUtcNow();
        await app.WithStoreAsync(s => s.ClaimAsync("a", 10, NoBudget, now, Lease));
        var log = LogEntry(id, now, TimeSpan.FromMilliseconds(3));
        EventOutcome[] outcome = [new EventOutcome { EventId = id, Status = EventStatus.Completed, ProcessedAt = now, Logs = [log] }];

        (await app.WithStoreAsync(s => s.SettleAsync(outcome, "a"))).Should().Be(1);

        // The processor retries a settle whose answer it did not get, though it may have committed.
        (await app.WithStoreAsync(s => s.SettleAsync(outcome, "a"))).Should().Be(0, "the event is no longer leased");
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        (await app.GetLogAsync(id)).Should().ContainSingle().Which.Id.Should().Be(log.Id);
    }

    [SkippableFact]
    public async Task Claim_ReturnsTheHandlersThatAlreadySucceeded()
    {
        await using var app = CreateApp();
        var id = await app.PublishAsync(NewUser());
        var other = await app.PublishAsync(NewUser("Bo"));
        var now = app.Time.GetUtcNow();
        await app.WithStoreAsync(s => s.ClaimAsync("a", 10, NoBudget, now, Lease));
        EventLogEntry Log(Guid eventId, string action, EventLogResult result) => LogEntry(eventId, now, TimeSpan.FromMilliseconds(1), action, result);

        await app.WithStoreAsync(s => s.SettleAsync(
            [
                new EventOutcome { EventId = id, Status = EventStatus.Failed, AvailableAt = now, Logs = [Log(id, "First", EventLogResult.Success), Log(id, "Second", EventLogResult.Success), Log(id, "Third", EventLogResult.Failure)] },
                new EventOutcome { EventId = other, Status = EventStatus.Failed, AvailableAt = now, Logs = [Log(other, "First", EventLogResult.Failure)] },
            ],
            "a"));

        var claimed = await app.WithStoreAsync(s => s.ClaimAsync("a", 10, NoBudget, now, Lease));

        claimed.Single(e => e.Event.Id == id).SucceededHandlers.Should().BeEquivalentTo(["First", "Second"]);
        claimed.Single(e => e.Event.Id == other).SucceededHandlers.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task CrashedProcessor_EventIsProcessedAfterLeaseExpires()
    {
        await using var app = CreateApp(o => o.LeaseDuration = Lease);
        var id = await app.PublishAsync(NewUser());
        var now = app.Time.GetUtcNow();
        await app.WithStoreAsync(s => s.ClaimAsync("crashed", 10, NoBudget, now, Lease)); // never settles

        (await app.DrainAsync()).Claimed.Should().Be(0, "the lease is still valid");
        await PassTimeAsync(app, ClaimableAfter(Lease) - LeaseMargin);
        (await app.DrainAsync()).Claimed.Should().Be(0, "the lease is not claimable yet");
        await PassTimeAsync(app, LeaseMargin);
        await app.DrainAsync();

        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.Completed);
        record.Attempts.Should().Be(2);
        app.Probe.Calls.Should().ContainSingle();
    }

    [SkippableFact]
    public async Task RepeatedCrashes_BeyondMaxAttempts_DeadLetter()
    {
        await using var app = CreateApp(o => o.MaxAttempts = 2);
        var id = await app.PublishAsync(NewUser());
        for (var i = 0; i < 2; i++)
        {
            var now = app.Time.GetUtcNow();
            await app.WithStoreAsync(s => s.ClaimAsync($"crashed-{i}", 10, NoBudget, now, Lease));
            await PassTimeAsync(app, ClaimableAfter(Lease));
        }

        await app.DrainAsync();

        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.DeadLetter);
        record.LastError.Should().Contain("exceeds MaxAttempts");
        app.Probe.Calls.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Lease_IsRenewedWhileHandlerRuns()
    {
        await using var app = CreateApp(o =>
        {
            o.LeaseDuration = Lease;
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
        });
        app.Probe.Gate = new TaskCompletionSource();
        var id = await app.PublishAsync(NewUser());

        var run = app.DrainAsync();
        await app.Probe.Started.Task.WaitAsync(Wait);
        for (var i = 0; i < 7; i++)
        {
            await PassTimeAndAwaitRenewalAsync(app, id, Lease / 3);
        }

        app.Time.GetUtcNow().Should().BeAfter(TestApp.Start + ClaimableAfter(Lease), "the original lease would be claimable by now");
        var intruder = app.CreateProcessor("intruder");
        (await app.DrainAsync(intruder)).Claimed.Should().Be(0, "the renewed lease still holds");

        app.Probe.Gate.SetResult();
        await run.WaitAsync(Wait);
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        app.Probe.Calls.Should().ContainSingle();
    }

    [SkippableFact]
    public async Task Lease_ProcessorWhoseClockRunsAheadByUpToTheLease_NeverTakesOverALiveLease()
    {
        await using var app = CreateApp(o =>
        {
            o.LeaseDuration = Lease;
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
        });
        app.Probe.Gate = new TaskCompletionSource();
        var id = await app.PublishAsync(NewUser());
        var run = app.DrainAsync();
        await app.Probe.Started.Task.WaitAsync(Wait);
        var ahead = new FakeTimeProvider(app.Time.GetUtcNow() + Lease);
        var intruder = app.CreateProcessor("ahead", ahead);

        for (var i = 0; i < 6; i++)
        {
            // Just before the holder's next renewal its lease is as short as it gets: the worst moment to look.
            var from = await LeaseClockAsync(app);
            await PassTimeAsync(app, (Lease / 3) - TimeSpan.FromMilliseconds(1));
            ahead.Advance((Lease / 3) - TimeSpan.FromMilliseconds(1));
            (await app.DrainAsync(intruder)).Claimed.Should().Be(0, $"a clock {Lease.TotalSeconds} s ahead must not take over a live lease (round {i})");

            await PassTimeAsync(app, TimeSpan.FromMilliseconds(1));
            ahead.Advance(TimeSpan.FromMilliseconds(1));
            await AwaitRenewalAsync(app, id, from);
        }

        app.Probe.Gate.SetResult();
        await run.WaitAsync(Wait);
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        app.Probe.Calls.Should().ContainSingle("one processor ran the event, once");
    }

    [SkippableFact]
    public async Task Lease_ProcessorWhoseClockRunsTwiceTheLeaseAhead_TakesOverALiveLease_OnlyWhereLeasesUseTheCallersClocks()
    {
        // The case: a clock 60 s ahead, leases of 30 s. Beyond the tolerated skew only a store clock helps.
        await using var app = CreateApp(o =>
        {
            o.LeaseDuration = Lease;
            o.HandlerTimeout = Timeout.InfiniteTimeSpan;
        });
        app.Probe.Gate = new TaskCompletionSource();
        var id = await app.PublishAsync(NewUser());
        var run = app.DrainAsync();
        await app.Probe.Started.Task.WaitAsync(Wait);
        var intruder = app.CreateProcessor("ahead", new FakeTimeProvider(app.Time.GetUtcNow() + (2 * Lease)));

        var intrusion = app.DrainAsync(intruder);
        if (LeasesUseStoreClock)
        {
            (await intrusion.WaitAsync(Wait)).Claimed.Should().Be(0, "the lease is measured by the database's clock, which says it is live");
        }
        else
        {
            await WaitUntilAsync(() => Task.FromResult(app.Probe.Calls.Count == 2));
        }

        app.Probe.Gate.SetResult();
        await run.WaitAsync(Wait);
        await intrusion.WaitAsync(Wait);
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Completed);
        app.Probe.Calls.Should().HaveCount(LeasesUseStoreClock ? 1 : 2, LeasesUseStoreClock
            ? "no skew matters on the database's clock"
            : "a skew of more than the lease duration plus the grace defeats a lease measured by the callers' clocks (documented)");
    }

    [SkippableFact]
    public async Task FourProcessors_EveryHandlerRunsExactlyOncePerEvent()
    {
        var count = ConcurrentEventCount;
        await using var app = CreateApp(
            o =>
            {
                o.BatchSize = 100;
                o.MaxConcurrency = 4;
            },
            b => b.AddHandler<WelcomeEmailHandler>().AddHandler<WelcomeNotificationHandler>());
        for (var i = 0; i < count; i++)
        {
            await app.PublishAsync(NewUser($"U{i}"));
        }

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = new ConcurrentDictionary<string, int>();
        var processors = Enumerable.Range(1, 4).Select(n => app.CreateProcessor($"p{n}")).ToArray();
        var runs = processors.Select(p => Task.Run(async () =>
        {
            await go.Task;
            var summary = await app.DrainAsync(p);
            claims.AddOrUpdate(p.Owner, summary.Claimed, (_, c) => c + summary.Claimed);
        })).ToArray();
        go.SetResult();
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromMinutes(5));

        claims.Values.Sum().Should().Be(count);
        var perHandler = app.Probe.Calls.GroupBy(c => (c.Handler, c.EventId)).ToList();
        perHandler.Should().HaveCount(2 * count);
        perHandler.Should().OnlyContain(g => g.Count() == 1, "no handler may run twice for one event");
        var metrics = await app.Operations.GetMetricsAsync();
        metrics.Completed.Should().Be(count);
        (metrics.Pending + metrics.Processing + metrics.Failed + metrics.DeadLetters).Should().Be(0);
    }

    // ---- Graceful shutdown ----------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Stopping_BeforeClaim_ClaimsNothing()
    {
        await using var app = CreateApp();
        var id = await app.PublishAsync(NewUser());

        var result = await app.DrainAsync(stoppingToken: new CancellationToken(canceled: true));

        result.Claimed.Should().Be(0);
        (await app.GetAsync(id)).Status.Should().Be(EventStatus.Pending);
    }

    [SkippableFact]
    public async Task Stopping_MidBatch_FinishesRunningHandler_AndReleasesUnstartedEvents()
    {
        await using var app = CreateApp(o => o.MaxConcurrency = 1);
        app.Probe.Gate = new TaskCompletionSource();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await app.PublishAsync(NewUser($"U{i}")));
        }

        using var stopping = new CancellationTokenSource();
        var run = app.DrainAsync(stoppingToken: stopping.Token);
        await app.Probe.Started.Task.WaitAsync(Wait);
        stopping.Cancel();
        app.Probe.Gate.SetResult();
        var result = await run.WaitAsync(Wait);

        result.Completed.Should().Be(1);
        result.Released.Should().Be(2);
        var records = await Task.WhenAll(ids.Select(app.GetAsync));
        records.Count(r => r.Status == EventStatus.Completed).Should().Be(1);
        records.Where(r => r.Status != EventStatus.Completed).Should().HaveCount(2).And.OnlyContain(r =>
            r.Status == EventStatus.Pending && r.Attempts == 0 && r.LockedBy == null);
        (await app.DrainAsync()).Completed.Should().Be(2, "released events are claimable at once");
    }

    [SkippableFact]
    public async Task Abort_CancelsRunningHandler_AndReleasesItsEvent()
    {
        await using var app = CreateApp(o => o.HandlerTimeout = Timeout.InfiniteTimeSpan);
        app.Probe.Gate = new TaskCompletionSource();
        var id = await app.PublishAsync(NewUser());

        using var stopping = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        var run = app.DrainAsync(stoppingToken: stopping.Token, abortToken: abort.Token);
        await app.Probe.Started.Task.WaitAsync(Wait);
        stopping.Cancel();
        abort.Cancel();
        var result = await run.WaitAsync(Wait);

        result.Released.Should().Be(1);
        var record = await app.GetAsync(id);
        record.Status.Should().Be(EventStatus.Pending);
        record.Attempts.Should().Be(1, "the interrupted attempt keeps its number: the log shows it");
        record.UncountedAttempts.Should().Be(1, "a release is not a failure: it does not count toward MaxAttempts");
        var log = (await app.GetLogAsync(id)).Should().ContainSingle().Subject;
        log.Result.Should().Be(EventLogResult.Interrupted, "a shutdown release is recorded as what it is");
        log.Error.Should().Contain("ShutdownTimeout");

        app.Probe.Gate = null;
        await app.DrainAsync();
        (await app.GetLogAsync(id)).Select(l => (l.Attempt, l.Result)).Should().Equal((1, EventLogResult.Interrupted), (2, EventLogResult.Success));
    }

    // ---- Metrics and operations -------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Metrics_CountPerStatus_AndAverageProcessingTime()
    {
        await using var app = CreateApp();
        (await app.Operations.GetMetricsAsync()).Should().BeEquivalentTo(new EventMetrics());

        await app.PublishAsync(NewUser("A"));
        app.Time.Advance(TimeSpan.FromSeconds(2));
        await app.DrainAsync();                                       // A: 2 s
        await app.PublishAsync(NewUser("B"));
        app.Time.Advance(TimeSpan.FromSeconds(4));
        await app.DrainAsync();                                       // B: 4 s
        app.Probe.FailAlways(nameof(WelcomeEmailHandler));
        await app.PublishAsync(NewUser("C"));
        await app.DrainAsync();                                       // C: failed
        await app.PublishAsync(NewUser("D"), new PublishOptions { AvailableAt = app.Time.GetUtcNow().AddDays(1) }); // D: pending
        await app.PublishAsync(p => p.PublishAsync("test.event", "test", "1", new { data = 1 })); // dead letter: bad payload
        await app.DrainAsync();

        var metrics = await app.Operations.GetMetricsAsync();

        metrics.Should().BeEquivalentTo(new EventMetrics
        {
            Pending = 1,
            Processing = 0,
            Completed = 2,
            Failed = 1,
            DeadLetters = 1,
            AverageProcessingTime = TimeSpan.FromSeconds(3),
        });
    }

    [SkippableFact]
    public async Task CountsByType_BetweenTwoDates_Inclusive()
    {
        await using var app = CreateApp();
        await app.PublishAsync(NewUser("early"));                          // Start
        app.Time.Advance(TimeSpan.FromHours(1));
        await app.PublishAsync(NewUser("A"));                              // Start+1h
        await app.PublishAsync(new InvoicePaid(1, 10m));
        app.Time.Advance(TimeSpan.FromHours(1));
        await app.PublishAsync(new InvoicePaid(2, 20m));                   // Start+2h
        app.Time.Advance(TimeSpan.FromHours(1));
        await app.PublishAsync(new InvoicePaid(3, 30m));                   // Start+3h, outside

        var counts = await app.Operations.GetCountsByTypeAsync(TestApp.Start.AddHours(1), TestApp.Start.AddHours(2));

        counts.Select(c => (c.Type, c.Count)).Should().Equal(("invoice.paid", 2L), ("user.created", 1L));
    }

    [SkippableFact]
    public async Task GetEvent_UnknownId_ReturnsNull()
    {
        await using var app = CreateApp();

        (await app.Operations.GetEventAsync(Guid.NewGuid())).Should().BeNull();
        (await app.Operations.RequeueAsync(Guid.NewGuid(), "ops", "fixed")).Should().BeFalse();
    }

    [SkippableFact]
    public async Task Backlog_CountsWaitingEvents_AndTheOldestRunnable()
    {
        await using var app = CreateApp();
        (await app.WithStoreAsync(s => s.GetBacklogAsync(app.Time.GetUtcNow()))).Should().BeEquivalentTo(new EventBacklog());

        await app.PublishAsync(NewUser("A"));                                                              // runnable since Start
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.PublishAsync(NewUser("B"));                                                              // runnable since Start+1m
        await app.PublishAsync(NewUser("C"), new PublishOptions { AvailableAt = TestApp.Start.AddHours(1) }); // delayed
        app.Time.Advance(TimeSpan.FromMinutes(1));

        var backlog = await app.WithStoreAsync(s => s.GetBacklogAsync(app.Time.GetUtcNow()));

        backlog.Waiting.Should().Be(3);
        backlog.OldestRunnableAt.Should().Be(TestApp.Start);

        await app.DrainAsync();
        var after = await app.WithStoreAsync(s => s.GetBacklogAsync(app.Time.GetUtcNow()));
        after.Waiting.Should().Be(1, "the delayed event still waits");
        after.OldestRunnableAt.Should().BeNull("it is not runnable yet");
    }

    // ---- Retention ------------------------------------------------------------------------------------------------

    [SkippableFact]
    public async Task Retention_DeletesOldCompletedEventsWithTheirLogs_InBatches()
    {
        await using var app = CreateApp(o =>
        {
            o.Retention = TimeSpan.FromDays(30);
            o.CleanupBatchSize = 2;
        });
        var old = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            old.Add(await app.PublishAsync(NewUser($"old{i}"), new PublishOptions { IdempotencyKey = $"k{i}" }));
        }

        await app.DrainAsync();
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("no"));
        var dead = await app.PublishAsync(NewUser("dead"));
        await app.DrainAsync();
        app.Probe.Heal(nameof(WelcomeEmailHandler));
        app.Time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        var recent = await app.PublishAsync(NewUser("recent"));
        await app.DrainAsync();

        var cutoff = app.Time.GetUtcNow() - TimeSpan.FromDays(30);
        (await app.WithStoreAsync(s => s.DeleteProcessedAsync(EventStatus.Completed, cutoff, 2))).Should().Be(2, "one call deletes at most one batch");
        var retention = await app.Operations.RunRetentionAsync();

        retention.Completed.Should().Be(3);
        retention.DeadLetters.Should().Be(0, "dead letters are kept unless DeadLetterRetention is set");
        foreach (var id in old)
        {
            (await app.Operations.GetEventAsync(id)).Should().BeNull();
        }

        (await app.GetAsync(recent)).Status.Should().Be(EventStatus.Completed);
        (await app.GetAsync(dead)).Status.Should().Be(EventStatus.DeadLetter);
        var metrics = await app.Operations.GetMetricsAsync();
        metrics.Completed.Should().Be(1);
        metrics.AverageProcessingTime.Should().Be(TimeSpan.Zero);

        var again = await app.PublishAsync(NewUser("again"), new PublishOptions { IdempotencyKey = "k0" });
        again.Should().NotBe(old[0], "retention frees the idempotency key with the event");
    }

    [SkippableFact]
    public async Task Retention_DeletesDeadLetters_WhenConfigured()
    {
        await using var app = CreateApp(o => o.DeadLetterRetention = TimeSpan.FromDays(7));
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("no"));
        var dead = await app.PublishAsync(NewUser());
        await app.DrainAsync();

        app.Time.Advance(TimeSpan.FromDays(6));
        (await app.Operations.RunRetentionAsync()).DeadLetters.Should().Be(0);
        app.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        (await app.Operations.RunRetentionAsync()).DeadLetters.Should().Be(1);

        (await app.Operations.GetEventAsync(dead)).Should().BeNull();
    }

    [SkippableFact]
    public async Task Retention_NeverDeletesARequeuedEvent()
    {
        await using var app = CreateApp(o => o.DeadLetterRetention = TimeSpan.FromDays(7));
        app.Probe.FailWith(nameof(WelcomeEmailHandler), () => new NonRetryableEventException("no"));
        var requeued = await app.PublishAsync(NewUser("requeued"));
        var dead = await app.PublishAsync(NewUser("dead"));
        await app.DrainAsync();
        app.Probe.Heal(nameof(WelcomeEmailHandler));
        app.Time.Advance(TimeSpan.FromDays(8));

        (await app.Operations.RequeueAsync(requeued, "ops", "fixed")).Should().BeTrue();
        var cutoff = app.Time.GetUtcNow() - TimeSpan.FromDays(7);
        (await app.WithStoreAsync(s => s.DeleteProcessedAsync(EventStatus.DeadLetter, cutoff, 10))).Should().Be(1, "only the event still dead-lettered qualifies");

        (await app.Operations.GetEventAsync(dead)).Should().BeNull();
        var pending = await app.GetAsync(requeued);
        pending.Status.Should().Be(EventStatus.Pending);
        pending.ProcessedAt.Should().BeNull();

        // Handled after the requeue, it is a recently completed event: neither retention touches it.
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await app.DrainAsync();
        (await app.GetAsync(requeued)).Status.Should().Be(EventStatus.Completed);
        (await app.Operations.RunRetentionAsync()).Should().BeEquivalentTo(new RetentionResult());
        (await app.GetLogAsync(requeued)).Select(l => (l.Kind, l.Result)).Should().Equal(
            (EventLogKind.HandlerRun, EventLogResult.Failure), (EventLogKind.Requeue, EventLogResult.Success), (EventLogKind.HandlerRun, EventLogResult.Success));
    }

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        // Waits for a condition another task makes true (a lease renewal in flight), never for a fixed time.
        using var timeout = new CancellationTokenSource(Wait);
        while (!await condition())
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
