using Microsoft.Extensions.DependencyInjection;

namespace EventKit.Testing;

/// <summary>The harness's ways to publish, each in a DI scope of its own, as a request would.</summary>
public sealed partial class EventKitHarness
{
    /// <summary>
    /// Publishes a typed event in a new DI scope. With the in-memory store it is stored at once; with a
    /// transactional store (the EF store writes events at your context's <c>SaveChanges</c>), publish through your own
    /// unit of work in <see cref="RunInScopeAsync"/> instead: the harness's publishing methods throw
    /// <see cref="EventKitHarnessException"/> when what they published was not stored.
    /// </summary>
    /// <typeparam name="TPayload">The payload type, marked with <see cref="EventTypeAttribute"/>.</typeparam>
    /// <param name="payload">The payload.</param>
    /// <param name="options">Per-publish options, or <see langword="null"/>.</param>
    /// <returns>The event id.</returns>
    /// <exception cref="ArgumentException">The payload is invalid (see <see cref="IEventPublisher"/>).</exception>
    /// <exception cref="EventKitHarnessException">The event was not stored: the store writes events with a unit of work that nobody saved.</exception>
    public Task<Guid> PublishAsync<TPayload>(TPayload payload, PublishOptions? options = null)
        where TPayload : notnull =>
        InScopeAsync(p => p.PublishAsync(payload, options));

    /// <summary>
    /// Publishes a typed event for an explicit entity id (a payload without <see cref="EntityIdAttribute"/>) in a new DI
    /// scope (see <see cref="PublishAsync{TPayload}(TPayload, PublishOptions?)"/>).
    /// </summary>
    /// <typeparam name="TPayload">The payload type, marked with <see cref="EventTypeAttribute"/>.</typeparam>
    /// <param name="payload">The payload.</param>
    /// <param name="entityId">The id of the entity the event is about.</param>
    /// <param name="options">Per-publish options, or <see langword="null"/>.</param>
    /// <returns>The event id.</returns>
    /// <exception cref="ArgumentException">An argument is invalid (see <see cref="IEventPublisher"/>).</exception>
    /// <exception cref="EventKitHarnessException">The event was not stored: the store writes events with a unit of work that nobody saved.</exception>
    public Task<Guid> PublishAsync<TPayload>(TPayload payload, string entityId, PublishOptions? options = null)
        where TPayload : notnull =>
        InScopeAsync(p => p.PublishAsync(payload, entityId, options));

    /// <summary>
    /// Publishes many typed events at once in a new DI scope (see <see cref="IEventPublisher.PublishManyAsync{TPayload}"/>):
    /// all are stored, or none.
    /// </summary>
    /// <typeparam name="TPayload">The payload type, marked with <see cref="EventTypeAttribute"/>, with an <see cref="EntityIdAttribute"/> property.</typeparam>
    /// <param name="payloads">The payloads.</param>
    /// <param name="options">Options for every event, or <see langword="null"/>.</param>
    /// <returns>The event ids, in the order of <paramref name="payloads"/>.</returns>
    /// <exception cref="ArgumentException">A payload or an option is invalid (see <see cref="IEventPublisher"/>).</exception>
    /// <exception cref="EventKitHarnessException">The events were not stored: the store writes events with a unit of work that nobody saved.</exception>
    public async Task<IReadOnlyList<Guid>> PublishManyAsync<TPayload>(IEnumerable<TPayload> payloads, PublishOptions? options = null)
        where TPayload : notnull
    {
        var ids = await InScopeAsync(p => p.PublishManyAsync(payloads, options)).ConfigureAwait(false);
        if (ids.Count > 0)
        {
            // All of a batch is stored or none of it: one is enough to tell.
            await EnsureStoredAsync(ids[0]).ConfigureAwait(false);
        }

        return ids;
    }

    /// <summary>Publishes an event by type name in a new DI scope (see <see cref="PublishAsync{TPayload}(TPayload, PublishOptions?)"/>).</summary>
    /// <param name="type">The event type name.</param>
    /// <param name="entity">The kind of entity.</param>
    /// <param name="entityId">The entity id.</param>
    /// <param name="payload">The payload.</param>
    /// <param name="options">Per-publish options, or <see langword="null"/>.</param>
    /// <returns>The event id.</returns>
    /// <exception cref="ArgumentException">An argument is invalid (see <see cref="IEventPublisher"/>).</exception>
    /// <exception cref="EventKitHarnessException">The event was not stored: the store writes events with a unit of work that nobody saved.</exception>
    public Task<Guid> PublishAsync(string type, string entity, string entityId, object payload, PublishOptions? options = null) =>
        InScopeAsync(p => p.PublishAsync(type, entity, entityId, payload, options));

    /// <summary>Runs <paramref name="action"/> in a new DI scope, e.g. the application's use case that publishes and saves.</summary>
    /// <param name="action">The work to run with the scope's services.</param>
    /// <returns>A task that completes when the work and the scope's disposal are done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is <see langword="null"/>.</exception>
    public async Task RunInScopeAsync(Func<IServiceProvider, Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _recorder.InTestFlow();
        var scope = _provider.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await action(scope.ServiceProvider).ConfigureAwait(false);
        }
    }

    private async Task<Guid> InScopeAsync(Func<IEventPublisher, ValueTask<Guid>> publish)
    {
        var id = await InScopeAsync<Guid>(publish).ConfigureAwait(false);
        await EnsureStoredAsync(id).ConfigureAwait(false);
        return id;
    }

    /// <summary>
    /// Throws when a harness publish was not stored: a transactional store (the EF store) takes events into the scope's
    /// unit of work, which the harness's own scope never saves, and the event would be lost without a word to the test.
    /// </summary>
    private async Task EnsureStoredAsync(Guid id)
    {
        if (await Operations.GetEventAsync(id).ConfigureAwait(false) is null)
        {
            throw new EventKitHarnessException(
                $"Event {id} was published but not stored: the harness published it in a DI scope of its own, and the registered store " +
                "writes events with the application's unit of work (the EF store: at your DbContext's SaveChanges), which nobody saved there. " +
                "Publish through your own code in RunInScopeAsync, and save the unit of work there.");
        }
    }

    private async Task<T> InScopeAsync<T>(Func<IEventPublisher, ValueTask<T>> publish)
    {
        _recorder.InTestFlow();
        var scope = _provider.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await publish(scope.ServiceProvider.GetRequiredService<IEventPublisher>()).ConfigureAwait(false);
        }
    }
}
