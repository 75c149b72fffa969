namespace EventKit;

/// <summary>
/// Publishes events. Resolve it from the same DI scope as the business change: with a transactional store the
/// event is written in that unit of work and commits with it (transactional outbox); with the in-memory store it
/// is stored at once.
/// </summary>
/// <remarks>
/// Arguments are validated before anything is stored: an invalid call throws and stores nothing. The processor in
/// this process is woken as soon as the event is visible, so handlers start without waiting for a poll.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ in arity and shape; none is ambiguous, and options and token stay optional as in every .NET async API.")]
public interface IEventPublisher
{
    /// <summary>Publishes an event given its type name, entity and payload (the original design's untyped form).</summary>
    /// <param name="type">The event type name, e.g. <c>user.created</c>: at most 200 characters matching <c>^[a-z0-9]+([._-][a-z0-9]+)*$</c>.</param>
    /// <param name="entity">The kind of entity, e.g. <c>user</c>: not blank, at most 100 characters, no NUL (U+0000) or unpaired surrogate.</param>
    /// <param name="entityId">The entity's id: not blank, at most 200 characters, no NUL (U+0000) or unpaired surrogate.</param>
    /// <param name="payload">The payload, serialized to JSON with <see cref="EventKitOptions.SerializerOptions"/>.</param>
    /// <param name="options">Per-publish options (delay, actor, correlation id, idempotency key), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The event id; with an idempotency key that was already used, the first event's id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="type"/>, <paramref name="entity"/>, <paramref name="entityId"/> or <paramref name="payload"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// An argument or option is blank, too long, malformed, has a NUL or unpaired surrogate, or the payload cannot be
    /// serialized, its JSON is <c>null</c> or longer than <see cref="EventKitOptions.MaxPayloadSize"/> (UTF-8 bytes).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> is cancelled: nothing is stored.</exception>
    ValueTask<Guid> PublishAsync(string type, string entity, string entityId, object payload, PublishOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes a typed event. The type name and entity come from <see cref="EventTypeAttribute"/> on
    /// <typeparamref name="TPayload"/>, the entity id from its <see cref="EntityIdAttribute"/> property.
    /// </summary>
    /// <typeparam name="TPayload">The payload type, marked with <see cref="EventTypeAttribute"/>.</typeparam>
    /// <param name="payload">The payload.</param>
    /// <param name="options">Per-publish options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The event id; with an idempotency key that was already used, the first event's id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="payload"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <typeparamref name="TPayload"/> has no <see cref="EventTypeAttribute"/> or no <see cref="EntityIdAttribute"/>
    /// property, its entity id is blank, too long or has a NUL or unpaired surrogate, an option is invalid, or the payload
    /// cannot be serialized or its JSON is longer than <see cref="EventKitOptions.MaxPayloadSize"/> (UTF-8 bytes).
    /// </exception>
    ValueTask<Guid> PublishAsync<TPayload>(TPayload payload, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TPayload : notnull;

    /// <summary>
    /// Publishes a typed event about the entity <paramref name="entityId"/>. The type name and entity come from
    /// <see cref="EventTypeAttribute"/> on <typeparamref name="TPayload"/>.
    /// </summary>
    /// <typeparam name="TPayload">The payload type, marked with <see cref="EventTypeAttribute"/>.</typeparam>
    /// <param name="payload">The payload.</param>
    /// <param name="entityId">The entity's id: not blank, at most 200 characters, no NUL (U+0000) or unpaired surrogate.</param>
    /// <param name="options">Per-publish options, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The event id; with an idempotency key that was already used, the first event's id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="payload"/> or <paramref name="entityId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <typeparamref name="TPayload"/> has no <see cref="EventTypeAttribute"/>, an argument is invalid, or the payload's
    /// JSON is longer than <see cref="EventKitOptions.MaxPayloadSize"/> (UTF-8 bytes).
    /// </exception>
    ValueTask<Guid> PublishAsync<TPayload>(TPayload payload, string entityId, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TPayload : notnull;

    /// <summary>
    /// Publishes many typed events at once, as <see cref="PublishAsync{TPayload}(TPayload, PublishOptions?, CancellationToken)"/>
    /// does for each: every payload is validated and serialized before anything is stored, so an invalid one stores
    /// none. With a transactional store they are written with the unit of work, in one statement where the store can.
    /// </summary>
    /// <typeparam name="TPayload">The payload type, marked with <see cref="EventTypeAttribute"/> and with an <see cref="EntityIdAttribute"/> property.</typeparam>
    /// <param name="payloads">The payloads, in publish order.</param>
    /// <param name="options">Options shared by every event (delay, actor, correlation id), or <see langword="null"/>. An idempotency key names one event, so it is refused here.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The event ids, in the order of <paramref name="payloads"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="payloads"/> or one of its items is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="options"/> has an <see cref="PublishOptions.IdempotencyKey"/>, or a payload is invalid as for
    /// <see cref="PublishAsync{TPayload}(TPayload, PublishOptions?, CancellationToken)"/>.
    /// </exception>
    async ValueTask<IReadOnlyList<Guid>> PublishManyAsync<TPayload>(IEnumerable<TPayload> payloads, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TPayload : notnull
    {
        ArgumentNullException.ThrowIfNull(payloads);
        if (options?.IdempotencyKey is not null)
        {
            throw new ArgumentException("An idempotency key names one event: PublishManyAsync refuses options.IdempotencyKey; publish keyed events one by one.", nameof(options));
        }

        var ids = new List<Guid>();
        foreach (var payload in payloads)
        {
            ids.Add(await PublishAsync(payload, options, cancellationToken).ConfigureAwait(false));
        }

        return ids;
    }
}
