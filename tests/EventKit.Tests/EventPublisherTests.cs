using EventKit.ContractTests;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace EventKit.Tests;

public sealed class EventPublisherTests : IAsyncLifetime
{
    private TestApp _app = null!;

    public Task InitializeAsync()
    {
        _app = TestApp.Create(b => b.UseInMemoryStore());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string?, string?, string?, string> InvalidUntypedArguments => new()
    {
        { null, "user", "1", "type" },
        { "", "user", "1", "type" },
        { "   ", "user", "1", "type" },
        { "User.Created", "user", "1", "type" },
        { "user..created", "user", "1", "type" },
        { "user.created.", "user", "1", "type" },
        { "user created", "user", "1", "type" },
        { new string('a', 201), "user", "1", "type" },
        { "user.created", null, "1", "entity" },
        { "user.created", " ", "1", "entity" },
        { "user.created", new string('u', 101), "1", "entity" },
        { "user.created", "user", null, "entityId" },
        { "user.created", "user", "", "entityId" },
        { "user.created", "user", new string('1', 201), "entityId" },
    };

    [Theory]
    [MemberData(nameof(InvalidUntypedArguments))]
    public async Task Publish_InvalidArgument_ThrowsNamingIt_AndStoresNothing(string? type, string? entity, string? entityId, string parameter)
    {
        var publish = () => _app.PublishAsync(p => p.PublishAsync(type!, entity!, entityId!, new { }));

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be(parameter);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Publish_InvalidType_MessageStatesTheRule()
    {
        var publish = () => _app.PublishAsync(p => p.PublishAsync("User.Created", "user", "1", new { }));

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.Message
            .Should().Contain("'User.Created' is not a valid event type name").And.Contain("^[a-z0-9]+([._-][a-z0-9]+)*$");
    }

    [Theory]
    [InlineData("user.created\n")]
    [InlineData("user.created\r\n")]
    [InlineData("\nuser.created")]
    public async Task Publish_TypeWithALineBreak_Throws_AndStoresNothing(string type)
    {
        var publish = () => _app.PublishAsync(p => p.PublishAsync(type, "user", "1", new { }));

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("type");
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("user.created")]
    [InlineData("payment_failed")]
    [InlineData("email-sent.v2")]
    [InlineData("a")]
    public async Task Publish_ValidTypeNames_AreAccepted(string type)
    {
        var id = await _app.PublishAsync(p => p.PublishAsync(type, "x", "1", new { }));

        (await _app.GetAsync(id)).Type.Should().Be(type);
    }

    [Fact]
    public async Task Publish_NullPayload_ThrowsArgumentNull()
    {
        var publish = () => _app.PublishAsync(p => p.PublishAsync("user.created", "user", "1", null!));

        (await publish.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("payload");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Publish_UnserializablePayload_ThrowsNamingPayload_AndStoresNothing()
    {
        var publish = () => _app.PublishAsync(p => p.PublishAsync("user.created", "user", "1", new { Callback = (Action)(() => { }) }));

        var thrown = await publish.Should().ThrowAsync<ArgumentException>();
        thrown.Which.ParamName.Should().Be("payload");
        thrown.Which.Message.Should().Contain("cannot be serialized");
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("actor")]
    [InlineData("correlation")]
    [InlineData("key")]
    public async Task Publish_InvalidOption_ThrowsNamingIt(string which)
    {
        var tooLong = new string('x', 201);
        var options = which switch
        {
            "actor" => new PublishOptions { Actor = tooLong },
            "correlation" => new PublishOptions { CorrelationId = " " },
            _ => new PublishOptions { IdempotencyKey = tooLong },
        };

        var publish = () => _app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"), options);

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().StartWith("options.");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task PublishTyped_ReadsTypeEntityAndEntityIdFromAttributes()
    {
        var userId = Guid.NewGuid();

        var id = await _app.PublishAsync(new UserCreated(userId, "a@b.c", "Ana"));
        var invoice = await _app.PublishAsync(new InvoicePaid(42, 9.5m));

        var record = await _app.GetAsync(id);
        record.Type.Should().Be("user.created");
        record.Entity.Should().Be("user");
        record.EntityId.Should().Be(userId.ToString());
        record.Payload.Should().Be($$"""{"userId":"{{userId}}","email":"a@b.c","name":"Ana"}""");
        var paid = await _app.GetAsync(invoice);
        paid.Entity.Should().Be("invoice", "the entity defaults to the type name's first segment");
        paid.EntityId.Should().Be("42");
    }

    [Fact]
    public async Task PublishTyped_WithExplicitEntityId_UsesIt()
    {
        var id = await _app.PublishAsync(p => p.PublishAsync(new TestEvent("x"), "entity-9"));

        (await _app.GetAsync(id)).Should().BeEquivalentTo(new { Type = "test.event", Entity = "test", EntityId = "entity-9" });
    }

    [Fact]
    public async Task PublishTyped_WithoutEntityIdProperty_ThrowsExplainingTheFix()
    {
        var publish = () => _app.PublishAsync(new TestEvent("x"));

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("[EntityId]").And.Contain("PublishAsync(payload, entityId)");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task PublishTyped_WithoutEventTypeAttribute_Throws()
    {
        var publish = () => _app.PublishAsync(new NotAnEvent(1));

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("has no [EventType(");
    }

    [Fact]
    public async Task PublishTyped_InvalidAttributeName_Throws()
    {
        var publish = () => _app.PublishAsync(new BadlyNamed(1));

        (await publish.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("is not a valid event type name");
    }

    [Fact]
    public async Task PublishTyped_AttributeEntityWithNul_ThrowsStatingTheRule_AndStoresNothing()
    {
        var publish = () => _app.PublishAsync(new NulEntity(1));

        var thrown = (await publish.Should().ThrowAsync<ArgumentException>()).Which;
        thrown.ParamName.Should().Be("payload");
        thrown.Message.Should().Contain("has an invalid Entity").And.Contain("except the NUL character (U+0000)");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Publish_AvailableAtInThePast_IsRunnableNow()
    {
        var id = await _app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"), new PublishOptions { AvailableAt = TestApp.Start.AddDays(-1) });

        (await _app.GetAsync(id)).AvailableAt.Should().Be(TestApp.Start);
    }

    [Fact]
    public async Task Publish_AssignsTimeOrderedIds()
    {
        var first = await _app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "A"));
        _app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await _app.PublishAsync(new UserCreated(Guid.NewGuid(), "a@b.c", "B"));

        first.Version.Should().Be(7);
        second.CompareTo(first).Should().BePositive();
    }

    /// <summary>
    /// PublishManyAsync stores all or none (EventKitHarness.PublishManyAsync: "all are stored, or none"). On the
    /// in-memory store a token cancelled while the batch is being stored (here: right after its first event, by the
    /// clock the store reads per event) must not leave the events before it stored.
    /// </summary>
    [Fact]
    public async Task PublishMany_CancelledWhileStoring_StoresAllOrNone()
    {
        using var cancellation = new CancellationTokenSource();
        var clock = new CancellingClock(TestApp.Start, cancellation);
        await using var app = TestApp.Create(b => b.UseInMemoryStore(), services: s => s.AddSingleton<TimeProvider>(clock));
        await using var scope = app.Services.CreateAsyncScope();
        var publisher = scope.ServiceProvider.GetRequiredService<IEventPublisher>();
        var payloads = Enumerable.Range(0, 5).Select(i => new UserCreated(Guid.NewGuid(), $"u{i}@example.com", $"U{i}")).ToList();

        clock.CancelAtCall = 2; // the publisher reads the clock once, then the store once per event it stores
        Exception? error = null;
        try
        {
            await publisher.PublishManyAsync(payloads, cancellationToken: cancellation.Token);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        var pending = (await app.Operations.GetMetricsAsync()).Pending;
        pending.Should().Be(error is null ? 5 : 0, $"a batch is stored whole or not at all (the publish {(error is null ? "returned" : "threw " + error.GetType().Name)})");
    }

    /// <summary>A clock that cancels a token the <see cref="CancelAtCall"/>-th time it is read (0: never).</summary>
    private sealed class CancellingClock(DateTimeOffset now, CancellationTokenSource cancellation) : TimeProvider
    {
        private int _calls;

        public int CancelAtCall { get; set; }

        public override DateTimeOffset GetUtcNow()
        {
            if (CancelAtCall > 0 && Interlocked.Increment(ref _calls) == CancelAtCall)
            {
                cancellation.Cancel();
            }

            return now;
        }
    }

    private async Task AssertNothingStoredAsync()
    {
        var metrics = await _app.Operations.GetMetricsAsync();
        (metrics.Pending + metrics.Processing + metrics.Completed + metrics.Failed + metrics.DeadLetters).Should().Be(0);
    }

    public sealed record NotAnEvent(int Id);

    [EventType("Bad Name")]
    public sealed record BadlyNamed([property: EntityId] int Id);

    [EventType("nul.entity", Entity = "a\0b")]
    public sealed record NulEntity([property: EntityId] int Id);
}
