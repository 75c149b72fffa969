namespace EventKit;

/// <summary>
/// Processes the events that are runnable now in the caller's task, through the same pipeline as the hosted processor,
/// and returns when nothing runnable is left: for tests and tools that run EventKit without its hosted services (the
/// <c>EventKit.Testing</c> harness drains through it).
/// </summary>
/// <remarks>
/// A drain claims the next events only when everything it claimed before is recorded, so what runs, and in which order,
/// depends on the store alone. It does not wait for retries or delayed events that are not due yet: move the
/// <see cref="TimeProvider"/> and drain again. Use it where the hosted processor does not run (hosted services not
/// started, or <see cref="EventKitOptions.EnableProcessing"/> <see langword="false"/>): one drain at a time per service
/// provider, never beside a running processor of the same provider, which would share its lease owner.
/// </remarks>
public interface IEventDrainer
{
    /// <summary>Processes everything runnable now, including events that handlers publish and retries due at once.</summary>
    /// <param name="maxEvents">Stops claiming once this many events were claimed (handlers that keep publishing). Positive.</param>
    /// <param name="cancellationToken">
    /// Stops the drain: nothing more is claimed or started, events claimed but not started are released, and running
    /// handlers' tokens are cancelled (their events are released once they return, without counting the attempt, as at
    /// shutdown). The drain returns once every handler has returned.
    /// </param>
    /// <returns>What the drain did.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxEvents"/> is zero or negative.</exception>
    /// <exception cref="InvalidOperationException">
    /// Another drain, or the hosted processor, of the same service provider is running; or the store could not record
    /// the outcome of the events that ran (its exception is the inner exception). A store whose claim fails ends the
    /// drain with the store's own exception.
    /// </exception>
    Task<EventDrainResult> DrainAsync(int maxEvents = int.MaxValue, CancellationToken cancellationToken = default);
}
