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

    // Stored with each ordered event, so the claim applies it without knowing the options of the instance that published.
    private readonly EventOrdering _ordered = options.Value.OrderedDeadLetters == OrderedDeadLetterPolicy.Wait ? EventOrdering.PerEntityStrict : EventOrdering.PerEntity;

    public ValueTask<Guid> PublishAsync(string type, string entity, string entityId, object payload, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        EventValidation.ValidateType(type, nameof(type));
        EventValidation.ValidateText(entity, EventValidation.MaxEntityLength, nameof(entity));
        EventValidation.ValidateText(entityId, EventValidation.MaxEntityIdLength, nameof(entityId));
        ArgumentNullException.ThrowIfNull(payload);
        ValidateOptions(options);

        string json;
        try
        {
            json = JsonSerializer.Serialize(payload, payload.GetType(), _serializerOptions);
        }
        catch (Exception ex) when (IsSerializationError(ex))
        {
            throw SerializationError(payload.GetType(), ex, nameof(payload));
        }

        ValidateJson(json, payload.GetType(), nameof(payload));
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

        // Everything is validated and serialized before anything is stored: an invalid payload stores none.
        var now = timeProvider.GetUtcNow();
        var availableAt = options?.AvailableAt is { } at && at > now ? at.ToUniversalTime() : now;
        var traceParent = Activity.Current?.Id;
        var ordering = Ordering(metadata.Ordered, options);
        var records = payloads.TryGetNonEnumeratedCount(out var count) ? new List<EventRecord>(count) : [];
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
            string json;
            try
            {
                json = JsonSerializer.Serialize(payload, _serializerOptions);
            }
            catch (Exception ex) when (IsSerializationError(ex))
            {
                throw SerializationError(typeof(TPayload), ex, nameof(payloads));
            }

            ValidateJson(json, typeof(TPayload), nameof(payloads));
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

        if (records.Count == 0)
        {
            return [];
        }

        var ids = await store.AppendManyAsync(records, cancellationToken).ConfigureAwait(false);
        telemetry.Published(metadata.Name!, records.Count);
        return ids;
    }

    private ValueTask<Guid> PublishTyped<TPayload>(TPayload payload, EventTypeMetadata metadata, string entityId, PublishOptions? options, CancellationToken cancellationToken)
    {
        ValidateOptions(options);
        string json;
        try
        {
            json = JsonSerializer.Serialize(payload, _serializerOptions);
        }
        catch (Exception ex) when (IsSerializationError(ex))
        {
            throw SerializationError(typeof(TPayload), ex, nameof(payload));
        }

        ValidateJson(json, typeof(TPayload), nameof(payload));
        return AppendAsync(metadata.Name!, metadata.Entity!, entityId, json, Ordering(metadata.Ordered, options), options, cancellationToken);
    }

    private void ValidateJson(string json, Type payloadType, string paramName)
    {
        // System.Text.Json escapes NUL (\u0000) and replaces unpaired surrogates with U+FFFD, so its text never has them
        // raw; a converter that writes raw JSON without validation could, and no store could then hold the payload exactly.
        EventValidation.ValidateStorable(json, paramName, $"The JSON of the payload of type '{payloadType.FullName}'");

        // A UTF-16 character is at most 3 UTF-8 bytes (a surrogate pair, 2 characters, is 4): most payloads need no count.
        if ((long)json.Length * 3 <= _maxPayloadSize)
        {
            return;
        }

        var size = Encoding.UTF8.GetByteCount(json);
        if (size > _maxPayloadSize)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The JSON of the payload of type '{payloadType.FullName}' is {size:N0} bytes (UTF-8), more than EventKitOptions.MaxPayloadSize allows ({_maxPayloadSize:N0} bytes)."),
                paramName);
        }
    }

    private EventOrdering Ordering(bool typeOrdered, PublishOptions? options) => typeOrdered || options?.Ordered == true ? _ordered : EventOrdering.None;

    private async ValueTask<Guid> AppendAsync(string type, string entity, string entityId, string json, EventOrdering ordering, PublishOptions? options, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var id = SequentialGuid.Next(now);
        using var activity = EventKitTelemetry.StartPublish(id, type, entity);
        var availableAt = options?.AvailableAt is { } at && at > now ? at.ToUniversalTime() : now;
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
            TraceParent = activity?.Id ?? Activity.Current?.Id,
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

    private static bool IsSerializationError(Exception ex) => ex is NotSupportedException or JsonException or InvalidOperationException;

    private static ArgumentException SerializationError(Type payloadType, Exception ex, string paramName) =>
        new($"The payload of type '{payloadType.FullName}' cannot be serialized to JSON: {ex.Message}", paramName, ex);
}
