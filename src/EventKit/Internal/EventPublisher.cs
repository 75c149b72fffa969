using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EventKit.Internal;

internal sealed class EventPublisher(IEventStore store, IOptions<EventKitOptions> options, TimeProvider timeProvider, EventKitTelemetry telemetry) : IEventPublisher
{
    private readonly JsonSerializerOptions _serializerOptions = options.Value.SerializerOptions;
    private readonly int _maxPayloadSize = options.Value.MaxPayloadSize;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // What the serializer may write is what the handler's deserializer reads back: the same depth (0 means 64).
    private readonly int _readerDepth = options.Value.SerializerOptions.MaxDepth is > 0 and var depth ? depth : 64;

    // Stored with each ordered event, so the claim applies it without knowing the options of the instance that published.
    private readonly EventOrdering _ordered = options.Value.OrderedDeadLetters == OrderedDeadLetterPolicy.Wait ? EventOrdering.PerEntityStrict : EventOrdering.PerEntity;

    public ValueTask<Guid> PublishAsync(string type, string entity, string entityId, object payload, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        EventValidation.ValidateType(type, nameof(type));
        EventValidation.ValidateText(entity, EventValidation.MaxEntityLength, nameof(entity));
        EventValidation.ValidateText(entityId, EventValidation.MaxEntityIdLength, nameof(entityId));
        ArgumentNullException.ThrowIfNull(payload);
        ValidateOptions(options);

        var json = Serialize(payload, payload.GetType(), nameof(payload));
        return AppendAsync(type, entity, entityId, json, Ordering(false, options), options, cancellationToken);
    }

    public ValueTask<Guid> PublishAsync<TPayload>(TPayload payload, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TPayload : notnull
    {
        if (payload is null)
        {
            throw new ArgumentNullException(nameof(payload));
        }

        var metadata = Metadata<TPayload>();
        if (metadata.EntityIdGetter is null)
        {
            throw new ArgumentException(
                $"Type '{typeof(TPayload).FullName}' has no [EntityId] property, so the entity id is unknown. Mark the property holding it with [EntityId], or call PublishAsync(payload, entityId).",
                nameof(payload));
        }

        var entityId = metadata.EntityIdGetter(payload);
        if (string.IsNullOrWhiteSpace(entityId) || entityId.Length > EventValidation.MaxEntityIdLength)
        {
            throw new ArgumentException(
                $"The [EntityId] property '{metadata.EntityIdProperty}' of '{typeof(TPayload).FullName}' must be non-blank and at most {EventValidation.MaxEntityIdLength} characters.",
                nameof(payload));
        }

        EventValidation.ValidateStorable(entityId, nameof(payload), $"The [EntityId] property '{metadata.EntityIdProperty}' of '{typeof(TPayload).FullName}'");

        return PublishTyped(payload, metadata, entityId, options, cancellationToken);
    }

    public ValueTask<Guid> PublishAsync<TPayload>(TPayload payload, string entityId, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TPayload : notnull
    {
        if (payload is null)
        {
            throw new ArgumentNullException(nameof(payload));
        }

        EventValidation.ValidateText(entityId, EventValidation.MaxEntityIdLength, nameof(entityId));
        return PublishTyped(payload, Metadata<TPayload>(), entityId, options, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<Guid>> PublishManyAsync<TPayload>(IEnumerable<TPayload> payloads, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TPayload : notnull
    {
        ArgumentNullException.ThrowIfNull(payloads);
        ValidateOptions(options);
        if (options?.IdempotencyKey is not null)
        {
            throw new ArgumentException("An idempotency key names one event: PublishManyAsync refuses options.IdempotencyKey; publish keyed events one by one.", nameof(options));
        }

        var metadata = Metadata<TPayload>();
        if (metadata.EntityIdGetter is null)
        {
            throw new ArgumentException(
                $"Type '{typeof(TPayload).FullName}' has no [EntityId] property, so the entity id is unknown. Mark the property holding it with [EntityId].",
                nameof(payloads));
        }

        // Everything is validated and serialized before anything is stored (an invalid payload stores none) and before the
        // publish span starts: a refused batch, like a refused PublishAsync, has no span.
        var serialized = payloads.TryGetNonEnumeratedCount(out var count) ? new List<(string EntityId, string Json)>(count) : [];
        foreach (var payload in payloads)
        {
            if (payload is null)
            {
                throw new ArgumentNullException(nameof(payloads), "A payload is null.");
            }

            var entityId = metadata.EntityIdGetter(payload);
            if (string.IsNullOrWhiteSpace(entityId) || entityId.Length > EventValidation.MaxEntityIdLength)
            {
                throw new ArgumentException(
                    $"The [EntityId] property '{metadata.EntityIdProperty}' of '{typeof(TPayload).FullName}' must be non-blank and at most {EventValidation.MaxEntityIdLength} characters.",
                    nameof(payloads));
            }

            EventValidation.ValidateStorable(entityId, nameof(payloads), $"The [EntityId] property '{metadata.EntityIdProperty}' of '{typeof(TPayload).FullName}'");
            serialized.Add((entityId, Serialize(payload, typeof(TPayload), nameof(payloads))));
        }

        if (serialized.Count == 0)
        {
            return [];
        }

        // A cancelled publish stores nothing, on every store (a transactional store would otherwise take it into the unit of work).
        cancellationToken.ThrowIfCancellationRequested();
        var now = timeProvider.GetUtcNow();
        var availableAt = AvailableAt(options, now);

        // One publish span for the batch (its size as messaging.batch.message_count): the parent of every handler run.
        using var activity = EventKitTelemetry.StartPublishMany(metadata.Name!, metadata.Entity!);
        activity?.SetTag("messaging.batch.message_count", serialized.Count);
        var traceParent = TraceParent(activity ?? Activity.Current);
        var ordering = Ordering(metadata.Ordered, options);
        var records = new List<EventRecord>(serialized.Count);
        foreach (var (entityId, json) in serialized)
        {
            records.Add(new EventRecord
            {
                Id = SequentialGuid.Next(now),
                Type = metadata.Name!,
                Entity = metadata.Entity!,
                EntityId = entityId,
                Payload = json,
                Status = EventStatus.Pending,
                AvailableAt = availableAt,
                CreatedAt = now,
                Actor = options?.Actor,
                CorrelationId = options?.CorrelationId,
                TraceParent = traceParent,
                Ordering = ordering,
            });
        }

        try
        {
            var ids = await store.AppendManyAsync(records, cancellationToken).ConfigureAwait(false);
            telemetry.Published(metadata.Name!, records.Count);
            return ids;
        }
        catch (Exception ex)
        {
            EventKitTelemetry.SetError(activity, ex);
            throw;
        }
    }

    private ValueTask<Guid> PublishTyped<TPayload>(TPayload payload, EventTypeMetadata metadata, string entityId, PublishOptions? options, CancellationToken cancellationToken)
        where TPayload : notnull
    {
        ValidateOptions(options);
        var json = Serialize(payload, typeof(TPayload), nameof(payload));
        return AppendAsync(metadata.Name!, metadata.Entity!, entityId, json, Ordering(metadata.Ordered, options), options, cancellationToken);
    }

    /// <summary>
    /// The payload's JSON as stored, serialized as <paramref name="payloadType"/>: checked to be one well-formed JSON value
    /// of valid UTF-8 (a converter that writes raw JSON without validation could write anything, which one store would
    /// keep and hand to the handler, and another refuse only in the application's SaveChanges) within
    /// <see cref="EventKitOptions.MaxPayloadSize"/>. One pass of a reader over the bytes the serializer writes anyway.
    /// </summary>
    private string Serialize(object payload, Type payloadType, string paramName)
    {
        byte[] utf8;
        try
        {
            utf8 = JsonSerializer.SerializeToUtf8Bytes(payload, payloadType, _serializerOptions);
        }
        catch (Exception ex) when (IsSerializationError(ex))
        {
            throw SerializationError(payloadType, ex, paramName);
        }

        if (utf8.Length > _maxPayloadSize)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The JSON of the payload of type '{payloadType.FullName}' is {utf8.Length:N0} bytes (UTF-8), more than EventKitOptions.MaxPayloadSize allows ({_maxPayloadSize:N0} bytes)."),
                paramName);
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = _readerDepth });
            var isNull = reader.Read() && reader.TokenType == JsonTokenType.Null;
            while (reader.Read())
            {
            }

            if (isNull)
            {
                // A null payload in disguise (a JsonElement of kind Null, a converter that writes null): no typed handler can
                // read it (the processor dead-letters it as "JSON null"), so it is refused here, as a null payload is.
                throw new ArgumentException($"The payload of type '{payloadType.FullName}' serializes to JSON null; a payload must not be null.", paramName);
            }

            return StrictUtf8.GetString(utf8);
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            throw new ArgumentException($"The JSON of the payload of type '{payloadType.FullName}' is not one valid JSON value in valid UTF-8 (a converter that writes raw JSON?): {ex.Message}", paramName, ex);
        }
    }

    private EventOrdering Ordering(bool typeOrdered, PublishOptions? options) => typeOrdered || options?.Ordered == true ? _ordered : EventOrdering.None;

    private async ValueTask<Guid> AppendAsync(string type, string entity, string entityId, string json, EventOrdering ordering, PublishOptions? options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = timeProvider.GetUtcNow();
        var id = SequentialGuid.Next(now);
        using var activity = EventKitTelemetry.StartPublish(id, type, entity);
        var availableAt = AvailableAt(options, now);
        var record = new EventRecord
        {
            Id = id,
            Type = type,
            Entity = entity,
            EntityId = entityId,
            Payload = json,
            Status = EventStatus.Pending,
            AvailableAt = availableAt,
            CreatedAt = now,
            Actor = options?.Actor,
            CorrelationId = options?.CorrelationId,
            IdempotencyKey = options?.IdempotencyKey,
            Ordering = ordering,

            // The publish span becomes the parent of every handler run's span.
            TraceParent = TraceParent(activity ?? Activity.Current),
        };

        try
        {
            var stored = await store.AppendAsync(record, cancellationToken).ConfigureAwait(false);
            if (stored == id)
            {
                telemetry.Published(type);
            }

            return stored;
        }
        catch (Exception ex)
        {
            EventKitTelemetry.SetError(activity, ex);
            throw;
        }
    }

    private static EventTypeMetadata Metadata<TPayload>()
    {
        var metadata = EventTypeMetadata.For<TPayload>();
        return metadata.Name is null ? throw new ArgumentException(metadata.Error, "payload") : metadata;
    }

    private static void ValidateOptions(PublishOptions? options)
    {
        if (options is null)
        {
            return;
        }

        EventValidation.ValidateOptional(options.Actor, EventValidation.MaxOptionLength, "options.Actor");
        EventValidation.ValidateOptional(options.CorrelationId, EventValidation.MaxOptionLength, "options.CorrelationId");
        EventValidation.ValidateOptional(options.IdempotencyKey, EventValidation.MaxOptionLength, "options.IdempotencyKey");
    }

    /// <summary>
    /// The W3C trace context of <paramref name="activity"/> (a 55-character <c>traceparent</c>), the one format processing
    /// restores as its parent. A hierarchical id is not stored: processing could not use it, and it has no length limit (a
    /// client's legacy <c>Request-Id</c> header can make it longer than any store's column).
    /// </summary>
    private static string? TraceParent(Activity? activity) => activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    /// <summary>
    /// When a publish's event becomes runnable: now, or a later <see cref="PublishOptions.AvailableAt"/> rounded up to
    /// whole microseconds, the precision of PostgreSQL's timestamps (which would otherwise cut it, and run the event up to a
    /// microsecond early); every store keeps the same value.
    /// </summary>
    private static DateTimeOffset AvailableAt(PublishOptions? options, DateTimeOffset now)
    {
        if (options?.AvailableAt is not { } at || at <= now)
        {
            return now;
        }

        var partial = at.UtcTicks % TimeSpan.TicksPerMicrosecond;
        var ticks = partial == 0 || at.UtcTicks > DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerMicrosecond ? at.UtcTicks : at.UtcTicks - partial + TimeSpan.TicksPerMicrosecond;
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    private static bool IsSerializationError(Exception ex) => ex is NotSupportedException or JsonException or InvalidOperationException;

    private static ArgumentException SerializationError(Type payloadType, Exception ex, string paramName) =>
        new($"The payload of type '{payloadType.FullName}' cannot be serialized to JSON: {ex.Message}", paramName, ex);
}
