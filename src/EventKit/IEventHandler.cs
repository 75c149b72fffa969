namespace EventKit;

/// <summary>
/// Handles events whose payload deserializes to <typeparamref name="TPayload"/>. Register with
/// <c>builder.AddHandler&lt;THandler&gt;()</c>; one instance is resolved from a fresh DI scope for every run, so a handler that fails leaves no scoped state (such as a DbContext's tracked changes) to other handlers.
/// </summary>
/// <typeparam name="TPayload">The payload type.</typeparam>
/// <remarks>
/// Delivery is at least once: a handler may run again for the same event after a crash or a lost lease, so make
/// its side effects idempotent (for example keyed by <see cref="EventContext{TPayload}.Id"/>). A handler that
/// succeeded is not run again when another handler of the same event is retried. Throw
/// <see cref="NonRetryableEventException"/> to dead-letter the event at once.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The name is the product's vocabulary; it is not a .NET event handler delegate.")]
public interface IEventHandler<TPayload>
{
    /// <summary>Handles one event.</summary>
    /// <param name="context">The event and its payload.</param>
    /// <param name="cancellationToken">Cancelled when the handler times out or the host's shutdown grace period ends.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    Task HandleAsync(EventContext<TPayload> context, CancellationToken cancellationToken);
}
